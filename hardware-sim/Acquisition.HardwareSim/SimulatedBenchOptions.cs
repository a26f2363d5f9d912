using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim;

/// <summary>Everything a simulated bench is built from.</summary>
public sealed class SimulatedBenchOptions
{
    public SimulationClockOptions Clock { get; set; } = new();
    public GrblOptions Grbl { get; set; } = new();
    public PinMap Pins { get; set; } = new();
    public LightDriver Lights { get; set; } = LightDriver.Pca9685;
    public int SegmentCount { get; set; } = 8;

    /// <summary>PCA9685 channel (or native PWM index) of the coaxial light; segments use 0..SegmentCount-1.</summary>
    public int CoaxialChannel { get; set; } = 8;

    /// <summary>Extra edges after each button transition (contact bounce); 0 = clean contacts.</summary>
    public int ButtonBounceEdges { get; set; }

    public TimeSpan ButtonBounceInterval { get; set; } = TimeSpan.FromMilliseconds(0.5);

    /// <summary>
    /// A symlink to the controller's pty, for the station to open (like a /dev/serial/by-id name). Needed for the
    /// "serial-unplugged" fault: replugging makes a new pty behind the same name. Null: open the pty directly.
    /// </summary>
    public string? SerialLinkPath { get; set; }

    /// <summary>
    /// Whether the pin map's motor-enable output really powers the stepper drivers. When wired, the drivers are off
    /// while the station holds that output inactive (after it opened it); off means the motors follow no steps, the
    /// carriage can be pushed and GRBL's reference is lost. Not wired (the default, for fixtures that never drive the
    /// pin): the drivers are always powered.
    /// </summary>
    public bool MotorEnableWired { get; set; }

    /// <summary>Level of the motor-enable output that powers the drivers (the station's OperatorPanelOptions.MotorEnableActiveHigh).</summary>
    public bool MotorEnableActiveHigh { get; set; } = true;

    /// <summary>
    /// A transcript file: every serial chunk each way, camera reads and frames, with the simulation clock's time and
    /// the wall time, for working out where a capture's time goes. Null: none.
    /// </summary>
    public string? TracePath { get; set; }

    /// <summary>Unix socket of the bench-control endpoint; null: none.</summary>
    public string? ControlSocketPath { get; set; }

    public void Validate()
    {
        Clock.Validate();
        Grbl.Validate();
        if (SegmentCount is < 1 or > 15 || CoaxialChannel is < 0 or > 15 || CoaxialChannel < SegmentCount)
        {
            throw new ArgumentException(
                $"SimulatedBench: {SegmentCount} segments and coaxial channel {CoaxialChannel} do not fit 16 channels with the coaxial after the segments.");
        }
        if (ButtonBounceEdges is < 0 or > 50)
        {
            throw new ArgumentException("SimulatedBench: ButtonBounceEdges must be 0–50.");
        }
    }
}
