using Acquisition.HardwareSim.Synthetic;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using Xunit.Abstractions;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The measurement behind the default focus measure (docs/imaging.md): the three candidates and two window sizes on
/// the same ground-truth stack, with the validity thresholds off so every pixel counts.
/// </summary>
public sealed class FocusMeasureComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void Tenengrad_with_a_9px_window_gives_the_lowest_height_error()
    {
        using var scene = SyntheticStack.Create(320, 320, seed: 7);
        using var mask = StackRun.CentralMask(320, 320, 24);
        var rms = new Dictionary<string, double>();
        foreach (var (kind, window) in new[]
        {
            (FocusMeasureKind.Tenengrad, 9), (FocusMeasureKind.SumModifiedLaplacian, 9), (FocusMeasureKind.VarianceOfLaplacian, 9),
            (FocusMeasureKind.Tenengrad, 5), (FocusMeasureKind.SumModifiedLaplacian, 5),
        })
        {
            var options = new FocusStackerOptions { FocusMeasure = kind, FocusWindowPixels = window, MinConfidence = 0, MinPeakSharpness = 0 };
            using var result = StackRun.Run(scene, new StackRun.Settings(), options);
            var (error, _) = ImageComparison.HeightError(result.HeightMapMicrometres, scene.TrueHeightMicrometres, mask);
            double psnr = ImageComparison.Psnr(result.FusedImage, 65535, scene.AllInFocus, 1, mask);
            rms[$"{kind}/{window}"] = error;
            output.WriteLine($"| {kind} | {window}×{window} | {error:0.000} µm | {psnr:0.00} dB |");
        }
        double best = rms["Tenengrad/9"];
        Assert.True(best < rms["SumModifiedLaplacian/9"]);
        Assert.True(best < rms["VarianceOfLaplacian/9"]);
        Assert.True(best < rms["Tenengrad/5"]);
    }
}
