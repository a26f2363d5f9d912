using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraFocusTests
{
    [Fact]
    public async Task Z_stack_sharpness_peaks_at_the_true_height_pixel_by_pixel_within_one_step()
    {
        // The firing-pin crater wall and the primer around it: heights from about −240 to −40 µm in one field.
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        await using var rig = new CameraRig(SurfacePresets.DefaultCasing(new SceneExtent(1100, 600, 0)), options);
        const double step = 4;
        using var best = new Mat(options.Height, options.Width, MatType.CV_32FC1, Scalar.All(-1));
        using var bestZ = new Mat(options.Height, options.Width, MatType.CV_32FC1, Scalar.All(double.NaN));
        for (var z = -264.0; z <= -16; z += step)
        {
            rig.Bench.Place(600, 0, z);
            using var image = await rig.ReadImageAsync();
            using var sharpness = ImageMeasures.Sharpness(image);
            using var better = new Mat();
            Cv2.Compare(sharpness, best, better, CmpTypes.GT);
            sharpness.CopyTo(best, better);
            bestZ.SetTo(Scalar.All(z), better);
        }
        using var truth = rig.Camera.GroundTruth(Acquisition.Core.Hardware.StagePosition.FromMicrometres(600, 0, -140), rig.Bench.LightingAt(default));
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(truth.HeightMicrometres, gx, MatType.CV_32F, 1, 0, 3, 1 / (8 * options.PixelSizeMicrometres));
        Cv2.Sobel(truth.HeightMicrometres, gy, MatType.CV_32F, 0, 1, 3, 1 / (8 * options.PixelSizeMicrometres));

        int counted = 0, within = 0;
        for (var v = 12; v < options.Height - 12; v += 2)
        {
            for (var u = 12; u < options.Width - 12; u += 2)
            {
                var h = truth.HeightMicrometres.At<float>(v, u);
                var slope = Math.Sqrt(Math.Pow(gx.At<float>(v, u), 2) + Math.Pow(gy.At<float>(v, u), 2));
                if (slope > 0.5 || h < -250 || h > -30)
                {
                    continue;
                }
                counted++;
                if (Math.Abs(bestZ.At<float>(v, u) - h) <= step)
                {
                    within++;
                }
            }
        }
        Assert.True(counted > 10000, $"only {counted} pixels measured");
        var fraction = within / (double)counted;
        Assert.True(fraction >= 0.9, $"{fraction:P1} of {counted} pixels peak within one z-step of their true height");
    }
}
