using System.Diagnostics;
using Acquisition.Imaging.Comparison;
using Xunit.Abstractions;

namespace Acquisition.Workflow.Tests.Correlation;

/// <summary>
/// Issue 6, "Fit for correlation": the measured breech-face height maps of casings fired by the same slide must
/// correlate at least 2.5× better than those of different slides, and each measurement must correlate with its own
/// truth at 0.8 or better. Method (Acquisition.Imaging.Comparison, docs/correlation.md): quadratic form removal,
/// Gaussian band-pass 16–500 µm, resampling to 6.25 µm, peak masked NCC over all rotations and translations with an
/// overlap floor of half the smaller valid area. The compared area is the breech face where the simulated casing
/// carries its reference scan (elsewhere the simulator keeps its own random primer texture, which no real casing of
/// that slide would have), inside the station's region mask, eroded by half the focus window.
/// </summary>
[Collection(FadulCaptureCollection.Name)]
public sealed class CorrelationTests(FadulCaptures captures, ITestOutputHelper output)
{
    private static bool[] BreechFace(BreechFaceCapture c)
    {
        var mask = new bool[c.RegionMask.Length];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = c.RegionMask[i] && c.ReferenceFootprint![i];
        }
        return mask;
    }

    private static MaskedHeightMap Measured(BreechFaceCapture c) => c.Measured.WithMask(BreechFace(c));

    [Fact]
    public async Task Same_slide_captures_correlate_at_least_two_and_a_half_times_better_than_different_slides()
    {
        var all = await captures.AllAsync();
        foreach (var (name, capture) in all)
        {
            output.WriteLine(FadulCaptures.Describe(name, capture));
        }
        var watch = Stopwatch.StartNew();
        var same = SurfaceCorrelation.Compare(Measured(all["Fadul_1-1"]), Measured(all["Fadul_1-2"]));
        var different = SurfaceCorrelation.Compare(Measured(all["Fadul_1-1"]), Measured(all["Fadul_2-1"]));
        output.WriteLine($"measured 1-1 vs 1-2 (same slide):      {same}");
        output.WriteLine($"measured 1-1 vs 2-1 (different slide): {different}");
        var trueSame = SurfaceCorrelation.Compare(FadulCaptures.Scan("Fadul_1-1"), FadulCaptures.Scan("Fadul_1-2"));
        var trueDifferent = SurfaceCorrelation.Compare(FadulCaptures.Scan("Fadul_1-1"), FadulCaptures.Scan("Fadul_2-1"));
        output.WriteLine($"true surfaces 1-1 vs 1-2: {trueSame.Ccf:0.000}; 1-1 vs 2-1: {trueDifferent.Ccf:0.000} (the issue quotes 0.77 vs 0.26)");
        output.WriteLine($"four comparisons in {watch.Elapsed.TotalSeconds:0} s");

        Assert.True(same.OverlapFraction >= 0.5 && different.OverlapFraction >= 0.5);
        Assert.True(same.Ccf >= 2.5 * different.Ccf,
            $"same-slide CCF {same.Ccf:0.000} is not at least 2.5 × the different-slide CCF {different.Ccf:0.000} (ratio {same.Ccf / different.Ccf:0.00})");
    }

    [Theory]
    [InlineData("Fadul_1-1")]
    [InlineData("Fadul_1-2")]
    [InlineData("Fadul_2-1")]
    public async Task Each_capture_correlates_with_its_own_truth_at_0_8_or_better(string name)
    {
        var c = (await captures.AllAsync())[name];
        var mask = BreechFace(c);
        var measured = c.Measured.WithMask(mask);
        // The simulator's true heights on the measured grid, over the same points; and the scan file itself.
        var vsTruth = SurfaceCorrelation.Compare(c.Truth.WithMask(mask), measured);
        var vsScan = SurfaceCorrelation.Compare(FadulCaptures.Scan(name), measured);
        output.WriteLine($"{name}: heights over the compared area: {HeightError.Of(c.Measured, c.Truth, mask)}");
        var (dx, dy, shiftedRms) = HeightError.BestShift(c.Measured, c.Truth, mask);
        output.WriteLine($"{name}: diagnosis: the truth shifted by ({dx:0.0}, {dy:0.0}) px gives RMS {shiftedRms:0.000} µm");
        output.WriteLine($"{name}: measured vs true heights on its grid: {vsTruth}");
        output.WriteLine($"{name}: measured vs the reference scan:      {vsScan}");

        Assert.True(vsTruth.Ccf >= 0.8, $"{name}: CCF {vsTruth.Ccf:0.000} against its true heights; the target is at least 0.8.");
        Assert.True(vsScan.Ccf >= 0.8, $"{name}: CCF {vsScan.Ccf:0.000} against its reference scan; the target is at least 0.8.");
    }
}
