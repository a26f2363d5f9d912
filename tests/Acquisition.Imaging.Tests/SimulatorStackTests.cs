using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The issue's depth and fusion targets against the bench simulator's ground truth: the default 9 mm casing's breech
/// face at the default optics (NA 0.3, 2.5 µm/px, read noise 1 %, its default jitter and magnification drift), small
/// sensor profile, 2 µm z-step; and the polished primer, on which the coverage check must fail.
/// </summary>
public sealed class SimulatorStackTests(ITestOutputHelper output)
{
    // A field on the primer between the firing-pin crater and the primer pocket.
    internal const double StageX = 0, StageY = 1600;
    internal static readonly LightingState Light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.6);

    private sealed record Run(FocusStackResult Result, CameraGroundTruth Truth, Mat BreechFaceMask, double ShiftErrorRmsPixels = 0) : IDisposable
    {
        public void Dispose()
        {
            Result.Dispose();
            Truth.Dispose();
            BreechFaceMask.Dispose();
        }
    }

    /// <param name="trueShifts">Register each slice by the simulator's true jitter instead of the measured shift.</param>
    private static Run StackOf(SurfaceScene scene, SimulatedCameraOptions options, FocusStackerOptions stackerOptions, double zFrom, double zTo, double step, bool trueShifts = false)
    {
        using var renderer = new FrameRenderer(scene, options);
        using var stacker = new StreamingFocusStacker(stackerOptions);
        var truths = new List<SimulatedFrameTruth>();
        if (trueShifts)
        {
            stacker.KnownShift = i => (truths[i].JitterXPixels - truths[0].JitterXPixels, truths[i].JitterYPixels - truths[0].JitterYPixels);
        }
        SimulatedFrameTruth? first = null;
        long sequence = 0;
        for (double z = zFrom; z <= zTo + 1e-9; z += step)
        {
            var position = StagePosition.FromMicrometres(StageX, StageY, z);
            var (data, truth) = renderer.Render(_ => new ExposureSample(position, Light), options.Exposure, options.Gain, options.Format, sequence);
            first ??= truth;
            truths.Add(truth);
            stacker.Add(new Frame(options.Width, options.Height, options.Format, data, sequence, DateTimeOffset.UnixEpoch, options.Exposure), new Micrometres(z));
            sequence++;
        }
        var result = stacker.Complete();
        // Ground truth on slice 0's grid; the stacker's output frame is slice 0 as captured, jitter included. Both
        // maps are rendered there: shifting them there would blur them.
        var groundTruth = renderer.GroundTruth(StagePosition.FromMicrometres(StageX, StageY, zFrom), Light, options.Exposure, options.Gain, options.Format,
            jitterXPixels: first!.JitterXPixels, jitterYPixels: first.JitterYPixels);
        // The measured shifts against the true jitter (a slice's content moves with its jitter, relative to slice 0's).
        // Slice 0 is the reference, right by definition: counting it would dilute the error.
        var measured = stacker.Registrations.Where(r => r.Index > 0).ToList();
        double squares = measured.Sum(r =>
            Math.Pow(r.ShiftXPixels - (truths[r.Index].JitterXPixels - first!.JitterXPixels), 2) + Math.Pow(r.ShiftYPixels - (truths[r.Index].JitterYPixels - first.JitterYPixels), 2));
        return new Run(result, groundTruth, BreechFaceMask(groundTruth.HeightMicrometres), measured.Count == 0 ? 0 : Math.Sqrt(squares / measured.Count));
    }

    /// <summary>The primer plane (breech face) away from the crater and pocket, eroded by half the focus window, and clear of the frame border.</summary>
    internal static Mat BreechFaceMask(Mat height)
    {
        var mask = new Mat();
        Cv2.InRange(height, new Scalar(-55), new Scalar(-25), mask);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(9, 9));
        Cv2.Erode(mask, mask, kernel);
        using var border = StackRun.CentralMask(height.Width, height.Height, 24);
        Cv2.BitwiseAnd(mask, border, mask);
        return mask;
    }

    [Fact]
    public void Breech_face_meets_the_depth_and_fusion_targets()
    {
        var options = SimulatedCameraOptions.Small;
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1000, StageX, StageY));
        var stackerOptions = new FocusStackerOptions { Magnification = new MagnificationModel(options.MagnificationChangePerMicrometre, options.ZAtDatumFocusMicrometres) };
        using var run = StackOf(scene, options, stackerOptions, -66, -14, 2);

        var (rms, invalid) = ImageComparison.HeightError(run.Result.HeightMapMicrometres, run.Truth.HeightMicrometres, run.BreechFaceMask);
        double fullScale = options.Format == PixelFormat.Mono8 ? 255 : 4095;
        double psnr = ImageComparison.Psnr(run.Result.FusedImage, 65535, run.Truth.AllInFocus, fullScale, run.BreechFaceMask);
        double ssim = ImageComparison.Ssim(run.Result.FusedImage, 65535, run.Truth.AllInFocus, fullScale, run.BreechFaceMask);
        var quality = QualityMetrics.Evaluate(run.Result, run.BreechFaceMask, QualityThresholds.Default);
        output.WriteLine($"simulator breech face: {Cv2.CountNonZero(run.BreechFaceMask)} px in mask; height RMS {rms:0.000} µm, invalid {invalid:P2}; " +
            $"fused PSNR {psnr:0.00} dB SSIM {ssim:0.0000}; residual {run.Result.Statistics.RegistrationResidualRmsPixels:0.000} px; noise {quality.NoiseSigmaFullScale:0.0000}; saturation {quality.SaturationPercent:0.00} %");

        Assert.True(Cv2.CountNonZero(run.BreechFaceMask) > 20000, "The breech-face mask is too small to measure.");
        Assert.True(invalid <= 0.10, $"{invalid:P1} of the breech face is invalid (target ≤ 10 %).");
        // The issue's target (stretch 0.4 µm). The simulator renders deterministically (fixed seeds), so this is the
        // same stack every run: 0.550 µm and 0.03 % invalid when the target was first met.
        Assert.True(rms <= 0.6, $"Height RMS {rms:0.000} µm exceeds the 0.6 µm target.");
        Assert.True(quality.Accepted, string.Join(" ", quality.Reasons));
        // The fused image, held to what it measured when the floors were set, less a margin.
        Assert.True(psnr >= MinBreechFacePsnr, $"Fused PSNR {psnr:0.00} dB is below {MinBreechFacePsnr} dB.");
        Assert.True(ssim >= MinBreechFaceSsim, $"Fused SSIM {ssim:0.0000} is below {MinBreechFaceSsim}.");
    }

    [Fact]
    public void Jitter_and_drift_cost_the_fused_image_its_finest_detail_on_the_simulator()
    {
        // The issue's rule, "with jitter and drift on, at most 1 dB below our own jitter-free result", on the
        // simulator: the same stack with and without its default jitter and magnification drift, each against its own
        // ground truth on its first slice's grid. It is NOT met over the full band (docs/imaging.md, "Accuracy
        // targets"): the simulator's texture reaches the pixel pitch, and every slice warped by a sub-pixel shift or a
        // scale is resampled, which the bilinear warp pays for in contrast near the sampling limit (37.82 → 35.95 dB
        // with integrated pixel apertures and the warp-aware fusion; 37.47 → 34.00 dB with centre-sampled pixels; the
        // still stack's slices move by hundredths of a pixel at most). Above about 9 px (a Gaussian of σ = 1.5 px) the
        // loss is within the rule.
        var shaken = SimulatedCameraOptions.Small;
        var still = shaken with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1000, StageX, StageY));
        using var moving = StackOf(scene, shaken, new FocusStackerOptions { Magnification = new MagnificationModel(shaken.MagnificationChangePerMicrometre, shaken.ZAtDatumFocusMicrometres) }, -66, -14, 2);
        using var steady = StackOf(scene, still, new FocusStackerOptions(), -66, -14, 2);
        var (psnrMoving, ssimMoving) = Fidelity(moving, shaken, 0);
        var (psnrSteady, ssimSteady) = Fidelity(steady, still, 0);
        var (bandMoving, _) = Fidelity(moving, shaken, 1.5);
        var (bandSteady, _) = Fidelity(steady, still, 1.5);
        output.WriteLine($"simulator breech face, fused: still PSNR {psnrSteady:0.00} dB SSIM {ssimSteady:0.0000}; jitter + drift PSNR {psnrMoving:0.00} dB SSIM {ssimMoving:0.0000}; " +
            $"above 9 px (σ 1.5 px): still {bandSteady:0.00} dB, jitter + drift {bandMoving:0.00} dB");

        Assert.True(psnrSteady >= 37 && ssimSteady >= 0.955, $"still stack {psnrSteady:0.00} dB / {ssimSteady:0.0000}");
        Assert.True(psnrMoving >= MinBreechFacePsnr && ssimMoving >= MinBreechFaceSsim, $"jitter + drift {psnrMoving:0.00} dB / {ssimMoving:0.0000}");
        Assert.True(bandMoving >= bandSteady - 1, $"Above 9 px the jitter and drift cost {bandSteady - bandMoving:0.00} dB (limit 1 dB).");
    }

    [Fact]
    public void The_jitter_cost_is_the_resampling_of_pixel_pitch_texture_not_the_registration()
    {
        // Why the rule above is not met on the simulator, as figures that move if either cause changes:
        // - registering by the simulator's true jitter instead of the measured shift gains nothing (35.97 against
        //   35.95 dB, session 14), so the measured shifts (0.05 px RMS off the truth) are not what costs the 1.87 dB;
        // - with the true shifts and the separable cubic warp (16-bit, with the warp weighting) the jittered stack is
        //   still 1.49 dB below the still one (36.33 against 37.82 dB); OpenCV's Lanczos-4 gets 36.44 dB, through an
        //   8-bit intermediate and without the weighting. The texture reaches the pixel pitch and is sampled through
        //   each pixel's aperture without an optical low-pass, so it aliases: a frame sampled at another phase does
        //   not hold the values slice 0's grid would have had (docs/imaging.md has the single-frame figures). If this
        //   assertion fails, the rule has come within reach of a sharper warp: revisit the default.
        var shaken = SimulatedCameraOptions.Small;
        var still = shaken with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1000, StageX, StageY));
        FocusStackerOptions Stacker(InterpolationFlags warp) => new()
        {
            WarpInterpolation = warp,
            Magnification = new MagnificationModel(shaken.MagnificationChangePerMicrometre, shaken.ZAtDatumFocusMicrometres),
        };
        using var registered = StackOf(scene, shaken, Stacker(InterpolationFlags.Linear), -66, -14, 2);
        using var exact = StackOf(scene, shaken, Stacker(InterpolationFlags.Linear), -66, -14, 2, trueShifts: true);
        using var exactCubic = StackOf(scene, shaken, Stacker(InterpolationFlags.Cubic), -66, -14, 2, trueShifts: true);
        using var steady = StackOf(scene, still, new FocusStackerOptions(), -66, -14, 2);
        var (psnrRegistered, _) = Fidelity(registered, shaken, 0);
        var (psnrExact, _) = Fidelity(exact, shaken, 0);
        var (psnrExactCubic, _) = Fidelity(exactCubic, shaken, 0);
        var (psnrSteady, _) = Fidelity(steady, still, 0);
        output.WriteLine($"jitter + drift: registered {psnrRegistered:0.00} dB (shifts {registered.ShiftErrorRmsPixels:0.000} px RMS off the truth), true shifts {psnrExact:0.00} dB, " +
            $"true shifts and the cubic warp {psnrExactCubic:0.00} dB; still {psnrSteady:0.00} dB");

        Assert.True(registered.ShiftErrorRmsPixels < 0.1, $"the measured shifts are {registered.ShiftErrorRmsPixels:0.000} px RMS off the true jitter");
        Assert.True(exact.ShiftErrorRmsPixels < 1e-9 && exactCubic.ShiftErrorRmsPixels < 1e-9, "the true shifts were not applied");
        Assert.True(Math.Abs(psnrExact - psnrRegistered) < 0.2, $"true shifts {psnrExact:0.00} dB against registered {psnrRegistered:0.00} dB: registration now matters");
        Assert.True(psnrExactCubic > psnrExact, $"the cubic warp {psnrExactCubic:0.00} dB is not sharper than bilinear {psnrExact:0.00} dB");
        Assert.True(psnrSteady - psnrExactCubic > 1, $"with true shifts and the cubic warp the jitter costs {psnrSteady - psnrExactCubic:0.00} dB: within the 1 dB rule now");
    }

    [Theory]
    [InlineData(true, 0.5)]
    [InlineData(false, 1.0)]
    public void Warp_aware_fusion_takes_the_finest_detail_from_the_slices_the_warp_blurs_least(bool integratedApertures, double minGainDb)
    {
        // The same jittered, drifting stack fused with and without weighting each slice's fine-level activity by the
        // share of its gradient energy its warp keeps (WarpDetailGain): the slice nearest the output grid among those
        // about equally in focus supplies the pixel-pitch texture. Measured (session 12): 35.95 against 35.11 dB on
        // the default simulator, and 34.00 against 32.76 dB with centre-sampled pixels, whose fine contrast depends
        // on each frame's phase far more.
        var options = SimulatedCameraOptions.Small with { IntegratePixelAperture = integratedApertures };
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1000, StageX, StageY));
        FocusStackerOptions Stacker(bool weighted) => new()
        {
            WarpAwareFusion = weighted,
            Magnification = new MagnificationModel(options.MagnificationChangePerMicrometre, options.ZAtDatumFocusMicrometres),
        };
        using var weighted = StackOf(scene, options, Stacker(true), -66, -14, 2);
        using var plain = StackOf(scene, options, Stacker(false), -66, -14, 2);
        var (psnrWeighted, ssimWeighted) = Fidelity(weighted, options, 0);
        var (psnrPlain, ssimPlain) = Fidelity(plain, options, 0);
        output.WriteLine($"jitter + drift, apertures {(integratedApertures ? "integrated" : "centre-sampled")}: warp-aware {psnrWeighted:0.00} dB / {ssimWeighted:0.0000}, unweighted {psnrPlain:0.00} dB / {ssimPlain:0.0000}");

        Assert.True(psnrWeighted >= psnrPlain + minGainDb, $"warp-aware {psnrWeighted:0.00} dB against {psnrPlain:0.00} dB unweighted");
        Assert.True(ssimWeighted > ssimPlain, $"SSIM {ssimWeighted:0.0000} against {ssimPlain:0.0000}");
        // The weighting touches only the fusion: the height map is the same, bit for bit.
        weighted.Result.HeightMapMicrometres.GetArray(out float[] heightWeighted);
        plain.Result.HeightMapMicrometres.GetArray(out float[] heightPlain);
        Assert.True(heightWeighted.AsSpan().SequenceEqual(heightPlain), "the weighting reached the height map");
    }

    [Fact]
    public void On_the_simulators_breech_face_Tenengrad_is_the_most_accurate_measure_and_9px_the_robust_window()
    {
        // The comparison of FocusMeasureComparisonTests, on the camera simulator's ground truth: the same breech-face
        // stack (default jitter and drift) through each candidate, the validity thresholds off so every pixel counts.
        var options = SimulatedCameraOptions.Small;
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1000, StageX, StageY));
        var rms = new Dictionary<string, double>();
        foreach (var (kind, window) in new[]
        {
            (FocusMeasureKind.Tenengrad, 9), (FocusMeasureKind.SumModifiedLaplacian, 9), (FocusMeasureKind.VarianceOfLaplacian, 9),
            (FocusMeasureKind.Tenengrad, 5), (FocusMeasureKind.SumModifiedLaplacian, 5),
        })
        {
            var stackerOptions = new FocusStackerOptions
            {
                FocusMeasure = kind, FocusWindowPixels = window, MinConfidence = 0, MinPeakSharpness = 0,
                Magnification = new MagnificationModel(options.MagnificationChangePerMicrometre, options.ZAtDatumFocusMicrometres),
            };
            using var run = StackOf(scene, options, stackerOptions, -66, -14, 2);
            var (error, _) = ImageComparison.HeightError(run.Result.HeightMapMicrometres, run.Truth.HeightMicrometres, run.BreechFaceMask);
            var (psnr, _) = Fidelity(run, options, 0);
            rms[$"{kind}/{window}"] = error;
            output.WriteLine($"| {kind} | {window}×{window} | {error:0.000} µm | {psnr:0.00} dB |");
        }
        Assert.True(rms["Tenengrad/9"] < rms["SumModifiedLaplacian/9"]);
        Assert.True(rms["Tenengrad/9"] < rms["VarianceOfLaplacian/9"]);
        Assert.True(rms["Tenengrad/5"] < rms["SumModifiedLaplacian/5"]);

        // Here the small window is the more accurate at the default 1 % read noise (it averages less relief), but at
        // 1.75 % its confidence falls below the threshold on far more of the face: the default keeps 9×9. (2 % before
        // the simulator integrated each pixel's aperture; with the pixel-pitch texture's contrast that integration
        // costs, at 2 % both windows lose half the face.)
        var noisy = options with { ReadNoiseFraction = 0.0175 };
        var invalid = new Dictionary<int, double>();
        foreach (var window in new[] { 9, 5 })
        {
            using var run = StackOf(scene, noisy, new FocusStackerOptions
            {
                FocusWindowPixels = window,
                Magnification = new MagnificationModel(noisy.MagnificationChangePerMicrometre, noisy.ZAtDatumFocusMicrometres),
            }, -66, -14, 2);
            var (error, share) = ImageComparison.HeightError(run.Result.HeightMapMicrometres, run.Truth.HeightMicrometres, run.BreechFaceMask);
            invalid[window] = share;
            output.WriteLine($"1.75 % read noise, Tenengrad {window}×{window}, thresholds on: {error:0.000} µm, {share:P1} invalid");
        }
        Assert.True(invalid[9] + 0.05 < invalid[5], $"invalid at 1.75 % noise: 9×9 {invalid[9]:P1}, 5×5 {invalid[5]:P1}");
    }

    /// <summary>PSNR and SSIM of the fused image against the truth inside the breech-face mask, both blurred by a Gaussian of σ px first when σ &gt; 0.</summary>
    private static (double Psnr, double Ssim) Fidelity(Run run, SimulatedCameraOptions options, double sigmaPixels)
    {
        double fullScale = options.Format == PixelFormat.Mono8 ? 255 : 4095;
        using var fused = new Mat();
        using var truth = new Mat();
        run.Result.FusedImage.ConvertTo(fused, MatType.CV_32F);
        run.Truth.AllInFocus.CopyTo(truth);
        if (sigmaPixels > 0)
        {
            Cv2.GaussianBlur(fused, fused, new Size(0, 0), sigmaPixels);
            Cv2.GaussianBlur(truth, truth, new Size(0, 0), sigmaPixels);
        }
        return (ImageComparison.Psnr(fused, 65535, truth, fullScale, run.BreechFaceMask), ImageComparison.Ssim(fused, 65535, truth, fullScale, run.BreechFaceMask));
    }

    /// <summary>
    /// Floors for the breech face's fused image with the default jitter and drift: 35.95 dB and 0.9393 measured
    /// (session 12, pixel apertures integrated, warp-aware fusion; 34.00 dB / 0.9259 with centre-sampled pixels),
    /// less a margin for numeric changes; a blurrier warp or a misregistration costs more.
    /// </summary>
    private const double MinBreechFacePsnr = 35.2, MinBreechFaceSsim = 0.93;

    [Fact]
    public void Polished_primer_fails_the_coverage_check()
    {
        var options = SimulatedCameraOptions.Small;
        using var scene = SurfacePresets.PolishedPrimer(new SceneExtent(1000, StageX, StageY));
        var stackerOptions = new FocusStackerOptions
        {
            Magnification = new MagnificationModel(options.MagnificationChangePerMicrometre, options.ZAtDatumFocusMicrometres),
            OnRegistrationFailure = RegistrationFailurePolicy.Flag,
        };
        using var run = StackOf(scene, options, stackerOptions, -66, -14, 2);
        var quality = QualityMetrics.Evaluate(run.Result, run.BreechFaceMask, QualityThresholds.Default);
        output.WriteLine($"simulator polished primer: coverage {quality.FocusCoveragePercent:0.00} %, failed registrations {quality.FailedRegistrations}");
        Assert.False(quality.Accepted);
        Assert.True(quality.FocusCoveragePercent < 90, $"Coverage {quality.FocusCoveragePercent:0.0} % on a polished primer: depth was invented.");
    }
}
