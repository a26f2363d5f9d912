using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraSensorTests
{
    [Fact]
    public async Task Noise_matches_read_plus_shot_noise_and_twelve_bit_output_clips_at_full_scale()
    {
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0, Format = PixelFormat.Mono12 };
        await using var rig = new CameraRig(SurfacePresets.DiffuseWhite(halfWidthMicrometres: 800), options);
        rig.Bench.Place(0, 0, 0);
        rig.Bench.Light(LightingState.Segmented(8, [0, 2, 4, 6], 0.5));

        using var frame = await rig.ReadImageAsync();
        using var truth = rig.Camera.GroundTruthNow();
        using var residual = new Mat();
        Cv2.Subtract(frame, truth.AllInFocus, residual);
        Cv2.MeanStdDev(residual, out _, out var noise);
        var signal = Cv2.Mean(truth.AllInFocus).Val0 / 4095;
        var expected = Math.Sqrt((0.01 * 0.01) + (signal / options.FullWellElectrons)) * 4095;
        Assert.True(signal is > 0.2 and < 0.8, $"signal {signal:0.000} of full scale");
        Assert.True(Math.Abs(noise.Val0 - expected) < 0.15 * expected, $"noise {noise.Val0:0.00} DN, expected {expected:0.00} DN");

        await rig.Camera.ApplyAsync(rig.Camera.Settings with { Exposure = TimeSpan.FromMilliseconds(50) }, CancellationToken.None);
        using var bright = await rig.ReadImageAsync();
        Cv2.MinMaxLoc(bright, out _, out double max);
        using var saturated = new Mat();
        Cv2.Compare(bright, new Scalar(4095), saturated, CmpTypes.GE);
        Assert.Equal(4095, max);
        Assert.True(Cv2.CountNonZero(saturated) > bright.Total() / 2, "a 5× longer exposure should saturate the white target");
    }
}
