using Acquisition.HardwareSim.Synthetic;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// Accuracy against ground truth at the default optics: NA 0.3-like defocus, 2.5 µm/px, read noise 1 % of
/// full scale, 2 µm z-step. Measured on the central region (the border within the focus window and the warps is
/// excluded, as the station's region masks are).
/// </summary>
public sealed class StackerAccuracyTests(ITestOutputHelper output)
{
    private const int Size = 384;
    private const int Border = 24;

    [Fact]
    public void HeightMap_meets_the_depth_targets_on_a_textured_surface()
    {
        using var scene = SyntheticStack.Create(Size, Size, seed: 21);
        using var result = StackRun.Run(scene, new StackRun.Settings(), new FocusStackerOptions());
        using var mask = StackRun.CentralMask(Size, Size, Border);
        var (rms, invalid) = ImageComparison.HeightError(result.HeightMapMicrometres, scene.TrueHeightMicrometres, mask);
        var quality = QualityMetrics.Evaluate(result, mask, QualityThresholds.Default);
        output.WriteLine($"height RMS {rms:0.000} µm, invalid {invalid:P2}, coverage {quality.FocusCoveragePercent:0.00} %, depth range {quality.DepthRangeMicrometres:0.0} µm");

        Assert.True(invalid <= 0.10, $"{invalid:P1} of the region is invalid; the target is ≤ 10 %.");
        Assert.True(rms <= 0.6, $"Height RMS {rms:0.000} µm exceeds the 0.6 µm target.");
        Assert.True(quality.FocusCoveragePercent >= 90);
        Assert.True(quality.Accepted, string.Join(" ", quality.Reasons));
        // The true surface spans about 34 µm; the measured P1–P99 range must be of that order, not flattened.
        Assert.InRange(quality.DepthRangeMicrometres, 20, 40);
    }

    [Fact]
    public void FusedImage_matches_the_true_all_in_focus_image()
    {
        using var scene = SyntheticStack.Create(Size, Size, seed: 22);
        using var result = StackRun.Run(scene, new StackRun.Settings(), new FocusStackerOptions());
        using var mask = StackRun.CentralMask(Size, Size, Border);
        double psnr = ImageComparison.Psnr(result.FusedImage, 65535, scene.AllInFocus, 1, mask);
        double ssim = ImageComparison.Ssim(result.FusedImage, 65535, scene.AllInFocus, 1, mask);

        // Baseline: the single best slice (what a plain autofocus would deliver).
        double bestSlicePsnr = 0;
        for (double z = -16; z <= 16; z += 4)
        {
            using var frame = scene.RenderFrame(z, 1, 0, 0, 0.01, 8, 99);
            bestSlicePsnr = Math.Max(bestSlicePsnr, ImageComparison.Psnr(frame, 255, scene.AllInFocus, 1, mask));
        }
        output.WriteLine($"fused PSNR {psnr:0.00} dB, SSIM {ssim:0.0000}; best single slice PSNR {bestSlicePsnr:0.00} dB");
        Assert.True(psnr >= 36, $"Fused PSNR {psnr:0.00} dB is below 36 dB.");
        Assert.True(ssim >= 0.95, $"Fused SSIM {ssim:0.0000} is below 0.95.");
        Assert.True(psnr >= bestSlicePsnr + 3, "Fusion must beat the best single slice clearly.");
    }

    [Fact]
    public void Warp_weighting_reaches_the_fusion_on_the_wide_consistency_windows_too()
    {
        // Windows wider than ConsistentSelection.MaxWindowPixels take OpenCV's passes, on a weighted copy of the
        // activity: the weighting must change the fused image there as well, and never the height map.
        using var scene = SyntheticStack.Create(Size, Size, seed: 23);
        const double drift = 3e-4;
        var shaken = new StackRun.Settings() with { JitterPixels = 3, MagnificationPerMicrometre = drift };
        FocusStackerOptions Options(bool weighted) => new()
        {
            ConsistencyWindowPixels = ConsistentSelection.MaxWindowPixels + 2,
            WarpAwareFusion = weighted,
            Magnification = new MagnificationModel(drift, shaken.ZStart),
        };
        using var on = StackRun.Run(scene, shaken, Options(true));
        using var off = StackRun.Run(scene, shaken, Options(false));

        Assert.True(Cv2.Norm(on.FusedImage, off.FusedImage, NormTypes.INF) > 0, "the weighting changed nothing on the wide-window path");
        on.HeightMapMicrometres.GetArray(out float[] heightOn);
        off.HeightMapMicrometres.GetArray(out float[] heightOff);
        Assert.True(heightOn.AsSpan().SequenceEqual(heightOff), "the weighting reached the height map");
    }

    [Fact]
    public void Registration_recovers_jitter_and_magnification_drift()
    {
        using var scene = SyntheticStack.Create(Size, Size, seed: 23);
        using var mask = StackRun.CentralMask(Size, Size, Border);
        const double drift = 3e-4; // per µm: 1.8 % over the 60 µm stack, 3.4 px at the region's edge
        var still = new StackRun.Settings();
        var shaken = still with { JitterPixels = 3, MagnificationPerMicrometre = drift };
        var options = new FocusStackerOptions { Magnification = new MagnificationModel(drift, still.ZStart) };

        using var reference = StackRun.Run(scene, still, new FocusStackerOptions());
        using var result = StackRun.Run(scene, shaken, options, out var jitter);
        using var unregistered = StackRun.Run(scene, shaken, new FocusStackerOptions { Register = false });

        double psnrStill = ImageComparison.Psnr(reference.FusedImage, 65535, scene.AllInFocus, 1, mask);
        double psnrShaken = ImageComparison.Psnr(result.FusedImage, 65535, scene.AllInFocus, 1, mask);
        double psnrUnregistered = ImageComparison.Psnr(unregistered.FusedImage, 65535, scene.AllInFocus, 1, mask);
        var (rmsShaken, invalidShaken) = ImageComparison.HeightError(result.HeightMapMicrometres, scene.TrueHeightMicrometres, mask);
        double worstShiftError = 0;
        for (int i = 0; i < jitter.Count; i++)
        {
            var r = result.Registrations[i];
            Assert.True(r.Succeeded && !r.Held, r.FailureReason);
            worstShiftError = Math.Max(worstShiftError, Math.Max(Math.Abs(r.ShiftXPixels - jitter[i].X), Math.Abs(r.ShiftYPixels - jitter[i].Y)));
        }
        // The registration error of each slice against the truth, the stack's common offset removed: what the
        // stacker's residual estimates without knowing the truth.
        var errors = Enumerable.Range(0, jitter.Count).Select(i => (X: result.Registrations[i].ShiftXPixels - jitter[i].X, Y: result.Registrations[i].ShiftYPixels - jitter[i].Y)).ToList();
        double meanX = errors.Average(e => e.X), meanY = errors.Average(e => e.Y);
        double trueErrorRms = Math.Sqrt(errors.Average(e => ((e.X - meanX) * (e.X - meanX)) + ((e.Y - meanY) * (e.Y - meanY))));
        double ssimStill = ImageComparison.Ssim(reference.FusedImage, 65535, scene.AllInFocus, 1, mask);
        double ssimShaken = ImageComparison.Ssim(result.FusedImage, 65535, scene.AllInFocus, 1, mask);
        output.WriteLine($"PSNR still {psnrStill:0.00} dB, jitter+drift registered {psnrShaken:0.00} dB, unregistered {psnrUnregistered:0.00} dB; SSIM still {ssimStill:0.0000}, registered {ssimShaken:0.0000}; " +
            $"worst shift error {worstShiftError:0.000} px, RMS {trueErrorRms:0.000} px; residual RMS {result.Statistics.RegistrationResidualRmsPixels:0.000} px, worst {result.Statistics.RegistrationResidualMaxPixels:0.000} px; height RMS {rmsShaken:0.000} µm, invalid {invalidShaken:P1}");

        Assert.True(worstShiftError < 0.3, $"Registration missed the injected jitter by up to {worstShiftError:0.000} px.");
        Assert.True(psnrShaken >= psnrStill - 1, $"With jitter and drift the fused PSNR is {psnrStill - psnrShaken:0.00} dB below the still stack (limit 1 dB).");
        Assert.True(ssimShaken >= ssimStill - 0.01, $"With jitter and drift the fused SSIM is {ssimStill - ssimShaken:0.0000} below the still stack.");
        Assert.True(psnrUnregistered < psnrShaken - 3, "The stack must be hard enough that skipping registration visibly fails.");
        Assert.True(rmsShaken <= 0.6 && invalidShaken <= 0.10);
    }

    [Fact]
    public void The_registration_residual_rises_where_the_slices_positions_are_uncertain()
    {
        // The residual compares each slice's position against two independent references (docs/imaging.md,
        // "Quality metrics"). On a random texture the slices agree with each other to a few thousandths of a pixel;
        // along parallel marks over a weak grain, where a registered slice can sit most of a pixel off, they do not.
        // The refinement's last correction, reported before, read 0.001 and 0.054 px on these two stacks.
        using var textured = SyntheticStack.Create(Size, Size, seed: 23);
        using var random = StackRun.Run(textured, new StackRun.Settings() with { JitterPixels = 3 }, new FocusStackerOptions());
        using var marked = SyntheticStack.Create(Size, Size, seed: 31, striationContrast: 0.5, striationPeriodPixels: 6, grainContrast: 0.3);
        using var striated = StackRun.Run(marked, new StackRun.Settings() with { JitterPixels = 1, Seed = 5 }, new FocusStackerOptions { OnRegistrationFailure = RegistrationFailurePolicy.Flag });
        output.WriteLine($"residual RMS: random texture {random.Statistics.RegistrationResidualRmsPixels:0.000} px, parallel marks {striated.Statistics.RegistrationResidualRmsPixels:0.000} px (worst {striated.Statistics.RegistrationResidualMaxPixels:0.000})");

        Assert.InRange(random.Statistics.RegistrationResidualRmsPixels, 0, 0.02);
        Assert.True(striated.Statistics.RegistrationResidualRmsPixels > 0.1, $"residual {striated.Statistics.RegistrationResidualRmsPixels:0.000} px on a stack whose registered slices are up to 0.86 px off");
        Assert.Equal(0, random.Registrations[0].ResidualPixels);
        Assert.True(double.IsNaN(random.Registrations[1].ResidualPixels), "the second slice has no older reference to check against");
    }

    [Fact]
    public void Registration_finds_slice_to_slice_jumps_across_the_whole_search_range()
    {
        // The first match is coarse-to-fine: jumps of up to 22 px between slices (the full search covers ±24 at this
        // size) must still be found to a fraction of a pixel, not only the ±1.5 px of the usual jitter.
        using var scene = SyntheticStack.Create(Size, Size, seed: 29);
        var jumpy = new StackRun.Settings() with { JitterPixels = 11, Seed = 8 };
        using var result = StackRun.Run(scene, jumpy, new FocusStackerOptions(), out var jitter);
        double worstShiftError = 0, largestStep = 0;
        for (int i = 0; i < jitter.Count; i++)
        {
            var r = result.Registrations[i];
            Assert.True(r.Succeeded && !r.Held, r.FailureReason);
            worstShiftError = Math.Max(worstShiftError, Math.Max(Math.Abs(r.ShiftXPixels - jitter[i].X), Math.Abs(r.ShiftYPixels - jitter[i].Y)));
            if (i > 0)
            {
                largestStep = Math.Max(largestStep, Math.Max(Math.Abs(jitter[i].X - jitter[i - 1].X), Math.Abs(jitter[i].Y - jitter[i - 1].Y)));
            }
        }
        output.WriteLine($"largest step {largestStep:0.00} px, worst shift error {worstShiftError:0.000} px");
        Assert.True(largestStep > 15, $"The stack must contain large jumps (largest {largestStep:0.0} px).");
        Assert.True(worstShiftError < 0.3, $"Registration missed a jump by up to {worstShiftError:0.000} px.");
    }

    [Theory]
    [InlineData(6.0, 0.3, 1.0, true)]
    [InlineData(24.0, 0.3, 3.0, true)]
    [InlineData(6.0, 1.0, 1.0, false)]
    public void Parallel_tool_marks_never_shift_the_stack_silently(double periodPixels, double grain, double jitterPixels, bool reachesFullSearch)
    {
        // Marks at 30° to the rows over a weak grain: the score map has a second peak a mark spacing away and a ridge
        // along the marks. Before the uniqueness check and the 2-D peak fit, every one of these stacks "succeeded"
        // while drifting 4–22 px from the truth; before the cross-check a slice could still slip 2.5 px along the
        // marks. Now a slice is either within a pixel or reported as ambiguous or uncertain.
        using var scene = SyntheticStack.Create(Size, Size, seed: 31, striationContrast: 0.5, striationPeriodPixels: periodPixels, grainContrast: grain);
        var shaken = new StackRun.Settings() with { JitterPixels = jitterPixels, Seed = 5 };
        var options = new FocusStackerOptions { OnRegistrationFailure = RegistrationFailurePolicy.Flag };
        int fullSearches = 0;
        using var result = StackRun.Run(scene, shaken, options, stage => fullSearches += stage == "reg full match" ? 1 : 0, out var jitter);
        double worst = 0;
        int failed = 0;
        for (int i = 0; i < jitter.Count; i++)
        {
            var r = result.Registrations[i];
            if (!r.Succeeded)
            {
                failed++;
                Assert.True(r.FailureReason!.Contains("ambiguous", StringComparison.Ordinal) || r.FailureReason.Contains("parallel marks is uncertain", StringComparison.Ordinal), r.FailureReason);
                continue;
            }
            Assert.False(r.Held, $"slice {i} of a textured stack was held");
            worst = Math.Max(worst, Math.Max(Math.Abs(r.ShiftXPixels - jitter[i].X), Math.Abs(r.ShiftYPixels - jitter[i].Y)));
        }
        output.WriteLine($"period {periodPixels} px, grain {grain}, jitter ±{jitterPixels} px: {failed} of {jitter.Count - 1} slices reported ambiguous or uncertain, worst error of the rest {worst:0.000} px; {fullSearches} full-range searches; residual RMS {result.Statistics.RegistrationResidualRmsPixels:0.000} px, worst {result.Statistics.RegistrationResidualMaxPixels:0.000} px");
        Assert.True(failed > 0, "A surface this repetitive must be reported as ambiguous at least once.");
        Assert.True(worst < 1, $"A slice reported as registered is {worst:0.00} px off.");
        Assert.Equal(failed, result.Statistics.FailedRegistrations);
        // Where the coarse estimate is off, the fine window's edge sends the match to the full-range search, and
        // its results are held to the same bounds.
        Assert.True(!reachesFullSearch || fullSearches > 0, "This stack was expected to need the full-range search.");
    }

    [Fact]
    public void A_slip_along_the_marks_is_reported_not_taken()
    {
        // Fine marks over weak grain: the score peak is a long ridge, and slice 4 of this stack matched its neighbour
        // best 2.2 px along the marks from the truth. Without the cross-check against the slice before, that slip was
        // taken and carried by every later slice.
        using var scene = SyntheticStack.Create(Size, Size, seed: 31, striationContrast: 0.5, striationPeriodPixels: 6, grainContrast: 0.3);
        var shaken = new StackRun.Settings() with { JitterPixels = 1, Seed = 5 };
        double Worst(FocusStackerOptions options, out int uncertain, out int crossChecks)
        {
            int checks = 0;
            using var result = StackRun.Run(scene, shaken, options, stage => checks += stage == "reg cross check" ? 1 : 0, out var jitter);
            crossChecks = checks;
            uncertain = result.Registrations.Count(r => r.FailureReason?.Contains("parallel marks is uncertain", StringComparison.Ordinal) == true);
            return Enumerable.Range(0, jitter.Count).Where(i => result.Registrations[i].Succeeded && !result.Registrations[i].Held)
                .Max(i => Math.Max(Math.Abs(result.Registrations[i].ShiftXPixels - jitter[i].X), Math.Abs(result.Registrations[i].ShiftYPixels - jitter[i].Y)));
        }

        double withoutCheck = Worst(new FocusStackerOptions { OnRegistrationFailure = RegistrationFailurePolicy.Flag, MaxCrossCheckDisagreementPixels = double.PositiveInfinity }, out _, out int offChecks);
        // The default: the check at 1.25 px.
        double withCheck = Worst(new FocusStackerOptions { OnRegistrationFailure = RegistrationFailurePolicy.Flag }, out int uncertain, out int crossChecks);
        output.WriteLine($"worst error of the slices reported as registered: {withoutCheck:0.00} px without the cross-check, {withCheck:0.00} px with it ({uncertain} reported uncertain, {crossChecks} cross-checks)");
        Assert.Equal(0, offChecks);
        Assert.True(withoutCheck > 1.5, $"The stack was expected to slip along the marks without the check (worst {withoutCheck:0.00} px).");
        Assert.True(uncertain > 0, "The slip must be reported as an uncertain position along the marks.");
        Assert.True(withCheck < 1, $"A slice reported as registered is {withCheck:0.00} px off.");

        // A random texture's score peak is round: even when on, the check never runs there, so such stacks pay nothing.
        using var grain = SyntheticStack.Create(Size, Size, seed: 31);
        int randomChecks = 0;
        using (StackRun.Run(grain, shaken, new FocusStackerOptions(), stage => randomChecks += stage == "reg cross check" ? 1 : 0, out _))
        {
        }
        Assert.Equal(0, randomChecks);
    }

    [Fact]
    public void Polished_surface_fails_the_coverage_check_instead_of_inventing_depth()
    {
        using var scene = SyntheticStack.Create(Size, Size, seed: 24, textured: false);
        using var mask = StackRun.CentralMask(Size, Size, Border);

        // Without registration, only the focus criterion decides.
        using (var result = StackRun.Run(scene, new StackRun.Settings(), new FocusStackerOptions { Register = false }))
        {
            var quality = QualityMetrics.Evaluate(result, mask, QualityThresholds.Default);
            output.WriteLine($"polished, no registration: coverage {quality.FocusCoveragePercent:0.00} %");
            Assert.False(quality.Accepted);
            Assert.True(quality.FocusCoveragePercent < 10, $"Coverage {quality.FocusCoveragePercent:0.0} % on a texture-free surface: depth was invented.");
            Assert.Contains(quality.Reasons, r => r.Contains("Focus coverage", StringComparison.Ordinal));
        }

        // With registration (the station's default), a blank field cannot be registered either: that is reported.
        using (var stacker = new StreamingFocusStacker(new FocusStackerOptions()))
        {
            var ex = Record.Exception(() =>
            {
                for (int i = 0; i < 31; i++)
                {
                    using var frame = scene.RenderFrame(-30 + 2 * i, 1, 0, 0, 0.01, 8, (ulong)i);
                    stacker.Add(frame, 8, new Core.Units.Micrometres(-30 + 2 * i));
                }
                using var r = stacker.Complete();
                var q = QualityMetrics.Evaluate(r, mask, QualityThresholds.Default);
                Assert.False(q.Accepted);
            });
            Assert.True(ex is null or RegistrationFailedException, ex?.ToString());
        }
    }
}
