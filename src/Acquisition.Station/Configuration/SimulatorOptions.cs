namespace Acquisition.Station.Configuration;

/// <summary>The "Simulator" section: used only with Station:Hardware = Sim.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    public SimulatorClock Clock { get; set; } = SimulatorClock.RealTime;

    /// <summary>Serve the bench-control socket (&lt;data&gt;/run/bench.sock) so engineers can press the button, open the door or inject faults.</summary>
    public bool BenchControlSocket { get; set; } = true;

    /// <summary>
    /// The station's motor-enable output powers the simulated stepper drivers: while it is off the motors follow no
    /// steps and the position is lost until homing, as on the bench. Off: the drivers are always powered.
    /// </summary>
    public bool MotorEnableWired { get; set; } = true;

    /// <summary>
    /// A transcript of the bench (serial both ways, camera reads and frames, simulation and wall time) for timing
    /// analysis; empty: none.
    /// </summary>
    public string TraceFile { get; set; } = "";

    public SimulatorCameraOptions Camera { get; set; } = new();
}
