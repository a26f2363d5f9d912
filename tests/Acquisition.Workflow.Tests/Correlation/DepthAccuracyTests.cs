using Acquisition.HardwareSim.Surface;
using Xunit.Abstractions;

namespace Acquisition.Workflow.Tests.Correlation;

/// <summary>
/// Issue 6, "Done when": pressing the simulated button yields a sealed package whose manifest and signature verify,
/// and its breech-face X3P heights match the simulator's ground truth at the default optics (2.5 µm/px, NA 0.3, 1 %
/// read noise, jitter and magnification drift on) and the recipe's 2 µm z-step: at most 10 % of the region mask
/// invalid and an RMS of at most 0.6 µm over the valid points, with only the mean offset removed. The firing-pin
/// crater (200 µm deep, far outside the breech-face z-range) is masked, eroded by half the focus window, as the issue
/// allows.
/// </summary>
[Collection(FadulCaptureCollection.Name)]
public sealed class DepthAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_breech_face_x3p_in_the_sealed_package_matches_the_true_heights()
    {
        var capture = await BreechFaceCapture.RunAsync(BreechFaceCapture.Camera(BreechFaceCapture.SensorPixels), new CasingHeadModel(), pressButton: true,
            output.WriteLine, CancellationToken.None);

        var masked = HeightError.Of(capture.Measured, capture.Truth, capture.InRangeMask);
        var whole = HeightError.Of(capture.Measured, capture.Truth, capture.RegionMask);
        output.WriteLine($"capture: {capture.WallTime.TotalSeconds:0} s wall; {capture.Outcome.Timing}");
        output.WriteLine($"stage reported − true: {capture.ReportedMinusTrueStageMicrometres.X:0.0}, {capture.ReportedMinusTrueStageMicrometres.Y:0.0} µm");
        output.WriteLine($"region mask, crater masked (asserted): {masked}");
        output.WriteLine($"region mask as the recipe draws it:    {whole}");
        var (dx, dy, shiftedRms) = HeightError.BestShift(capture.Measured, capture.Truth, capture.InRangeMask);
        output.WriteLine($"diagnosis: the truth shifted by ({dx:0.0}, {dy:0.0}) px gives RMS {shiftedRms:0.000} µm (every third point)");

        Assert.True(masked.InvalidFraction <= 0.10, $"{masked.InvalidFraction:P1} of the breech-face mask is invalid; the target is at most 10 %.");
        // Before the simulator resampled its scene bicubically the magnification drift cost ≈ 0.36 µm (bilinear
        // sampling made texture contrast depend on each pixel's sub-pixel phase, which the drift changes with focus)
        // and runs measured 0.585–0.611 µm; after, 0.511 µm in three runs (2026-11-23). See docs/workflow.md, "Depth accuracy".
        Assert.True(masked.RmsMicrometres <= 0.6, $"height RMS {masked.RmsMicrometres:0.000} µm against the truth; the target is at most 0.6 µm.");
    }
}
