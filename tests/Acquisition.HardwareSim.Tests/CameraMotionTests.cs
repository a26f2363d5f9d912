using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraMotionTests
{
    [Fact]
    public async Task A_frame_exposed_during_a_move_is_motion_blurred()
    {
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0 };
        await using var rig = new CameraRig(SurfacePresets.DefaultCasing(new SceneExtent(1200, 1200, 0)), options);
        rig.Bench.Place(1200, 0, -40);
        using var still = await rig.ReadImageAsync();

        // 5 mm/s along X: 50 µm (20 px) during the 10 ms exposure.
        var t0 = rig.Bench.Clock.GetUtcNow();
        rig.Bench.Position = t => StagePosition.FromMicrometres(1200 + (5000 * (t - t0).TotalSeconds), 0, -40);
        var moving = await rig.ReadAsync();
        using var blurred = CameraRig.ToMat(moving);

        Assert.True(rig.Camera.TryGetFrameTruth(moving.Sequence, out var truth));
        Assert.InRange(truth.MotionDuringExposurePixels, 15, 25);
        var sharp = ImageMeasures.VarianceOfLaplacian(still);
        var smeared = ImageMeasures.VarianceOfLaplacian(blurred);
        Assert.True(smeared < 0.6 * sharp, $"moving frame sharpness {smeared:0} vs still {sharp:0}");
    }
}
