using Acquisition.HardwareSim.Synthetic;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

public sealed class QualityMetricsTests
{
    [Fact]
    public void Saturation_noise_and_region_mask_are_measured()
    {
        using var scene = SyntheticStack.Create(192, 192, seed: 12);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        for (int i = 0; i < 31; i++)
        {
            double z = -30 + 2 * i;
            using var frame = scene.RenderFrame(z, 1, 0, 0, 0.01, 8, (ulong)i);
            // A specular glint: a 20×20 block clipped at full scale in every slice.
            frame[new Rect(100, 100, 20, 20)].SetTo(Scalar.All(255));
            stacker.Add(frame, 8, new Core.Units.Micrometres(z));
        }
        using var result = stacker.Complete();
        using var mask = StackRun.CentralMask(192, 192, 46); // 100×100 region holding the glint
        var report = QualityMetrics.Evaluate(result, mask, QualityThresholds.Default);

        Assert.Equal(100 * 100, report.RegionPixelCount);
        Assert.InRange(report.SaturationPercent, 2.0, 4.5); // 400 px of 10 000; the fusion softens the block edges
        Assert.False(report.Accepted);
        Assert.Contains(report.Reasons, r => r.Contains("saturated", StringComparison.Ordinal));
        Assert.InRange(report.NoiseSigmaFullScale, 0.007, 0.02); // 1 % read noise injected (plus quantisation)
        Assert.True(result.Statistics.MaxSaturatedFraction > 0.01);
    }

    [Fact]
    public void A_glint_fixed_on_the_sensor_while_the_casing_jitters_is_still_counted_saturated()
    {
        // On a polished primer a specular reflection stays put on the sensor when the stage shifts sideways, so after
        // registration the clipped block moves by each slice's jitter and the warps and the blend soften its plateau
        // just below full scale.
        using var scene = SyntheticStack.Create(192, 192, seed: 12);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        var jitter = new Random(1);
        for (int i = 0; i < 31; i++)
        {
            double z = -30 + 2 * i;
            double jx = i > 0 ? jitter.NextDouble() - 0.5 : 0, jy = i > 0 ? jitter.NextDouble() - 0.5 : 0;
            using var frame = scene.RenderFrame(z, 1, jx, jy, 0.01, 8, (ulong)i);
            frame[new Rect(100, 100, 20, 20)].SetTo(Scalar.All(255));
            stacker.Add(frame, 8, new Core.Units.Micrometres(z));
        }
        using var result = stacker.Complete();
        Assert.Equal(0, result.Statistics.FailedRegistrations);
        using var mask = StackRun.CentralMask(192, 192, 46);
        var report = QualityMetrics.Evaluate(result, mask, QualityThresholds.Default);

        Assert.InRange(report.SaturationPercent, 2.0, 4.5); // counted at exactly full scale: 0.44 %, and accepted
        Assert.False(report.Accepted);
        Assert.Contains(report.Reasons, r => r.Contains("saturated", StringComparison.Ordinal));
    }

    [Fact]
    public void Psnr_and_ssim_of_identical_images_are_perfect()
    {
        using var a = new Mat(64, 64, MatType.CV_8UC1);
        Cv2.Randu(a, Scalar.All(0), Scalar.All(255));
        Assert.True(double.IsPositiveInfinity(ImageComparison.Psnr(a, 255, a, 255)));
        Assert.Equal(1.0, ImageComparison.Ssim(a, 255, a, 255), 6);
    }
}
