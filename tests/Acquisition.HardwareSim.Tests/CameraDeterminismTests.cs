using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraDeterminismTests
{
    [Fact]
    public void Same_seed_and_frame_number_render_the_same_bytes_and_another_seed_does_not()
    {
        var options = SimulatedCameraOptions.Small;
        var position = StagePosition.FromMicrometres(300, 200, -60);
        var light = LightingState.Segmented(8, [1, 2, 5], 0.8, coaxial: 0.2);
        byte[] Render(int seed, long sequence)
        {
            using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1000, 300, 200), seed: 3);
            using var renderer = new FrameRenderer(scene, options with { Seed = seed });
            return renderer.Render(_ => new ExposureSample(position, light), options.Exposure, 1, PixelFormat.Mono8, sequence).Data;
        }

        var a = Render(7, 42);
        Assert.Equal(a, Render(7, 42));
        Assert.NotEqual(a, Render(8, 42));
        Assert.NotEqual(a, Render(7, 43));
    }
}
