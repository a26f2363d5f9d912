using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Tests.Shared;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// The shared simulator rig for capture tests: door closed, casing inserted and seen by the panel, stage connected
/// (not homed: the capture homes it), camera configured.
/// </summary>
internal sealed class SimBench : SimulatorRig
{
    /// <summary>A quarter-resolution sensor with the full sensor's field (6.1×5.1 mm), so the whole primer is in the overview.</summary>
    public static SimulatedCameraOptions QuarterResolution => SimulatedCameraOptions.Small with { Width = 612, Height = 512, PixelSizeMicrometres = 10 };

    private SimBench(SimulatedCameraOptions cameraOptions, SurfaceScene scene)
        : base(cameraOptions, scene, Path.Combine(TestPaths.FirmwareConfig, "grbl-settings.txt"))
    {
    }

    public static async Task<SimBench> StartAsync(SimulatedCameraOptions cameraOptions, SurfaceScene scene)
    {
        var bench = new SimBench(cameraOptions, scene);
        try
        {
            // The panel reports the casing only after its debounce: wait for that, not for a guessed time.
            var casing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            bench.Panel.EventRaised += (_, e) =>
            {
                if (e.Kind == Acquisition.Core.Hardware.PanelEventKind.CasingInserted)
                {
                    casing.TrySetResult();
                }
            };
            bench.Bench.CloseDoor();
            bench.Bench.InsertCasing();
            if (bench.Panel.CasingPresent == true)
            {
                casing.TrySetResult();
            }
            await bench.Stage.ConnectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await bench.Camera.ConfigureAsync(bench.SimCamera.Settings, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await casing.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }
}
