namespace Acquisition.Station.Configuration;

/// <summary>The "Simulator" section: used only with Station:Hardware = Sim.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    public SimulatorClock Clock { get; set; } = SimulatorClock.RealTime;

    /// <summary>Serve the bench-control socket (&lt;data&gt;/run/bench.sock) so engineers can press the button, open the door or inject faults.</summary>
    public bool BenchControlSocket { get; set; } = true;

    public SimulatorCameraOptions Camera { get; set; } = new();
}
