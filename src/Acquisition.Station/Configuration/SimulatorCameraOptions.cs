namespace Acquisition.Station.Configuration;

/// <summary>
/// "Simulator:Camera": the simulated camera's sensor and where the simulated casing sits under the stage. The
/// defaults are the workflow end-to-end rig's profile: a quarter-resolution sensor with the full sensor's 6.1×5.1 mm
/// field, so the whole 9 mm primer is in the overview and a capture stays short on a small machine.
/// </summary>
public sealed class SimulatorCameraOptions
{
    public int Width { get; set; } = 612;
    public int Height { get; set; } = 512;
    public double PixelSizeMicrometres { get; set; } = 10;

    /// <summary>Machine position of the casing's centre and the datum focus height (the capture's load position).</summary>
    public double SceneOriginXMicrometres { get; set; } = -25000;
    public double SceneOriginYMicrometres { get; set; } = -25000;
    public double FocusZMicrometres { get; set; } = -10000;
}
