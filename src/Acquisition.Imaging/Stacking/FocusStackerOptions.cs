namespace Acquisition.Imaging.Stacking;

/// <summary>Settings of <see cref="StreamingFocusStacker"/>. Defaults are the measured choices in docs/imaging.md.</summary>
public sealed class FocusStackerOptions
{
    public FocusMeasureKind FocusMeasure { get; set; } = FocusMeasureKind.Tenengrad;

    /// <summary>Side of the square focus window. 9 px measured far better than 5 px (docs/imaging.md).</summary>
    public int FocusWindowPixels { get; set; } = 9;

    /// <summary>
    /// Smoothing of each pixel's focus curve along z before the peak fit (σ of the triangular kernel, µm). A kernel
    /// about as wide as the focus curve itself (≈ 14 µm at NA 0.3) is close to a matched filter: 7 µm measured best
    /// on the simulator (docs/imaging.md).
    /// </summary>
    public double ZSmoothingSigmaMicrometres { get; set; } = 7.0;

    /// <summary>
    /// 1 or 2: the depth pipeline runs at full or half resolution. The 9 px window already limits the lateral
    /// resolution of the height map, so half resolution loses little and quarters the per-slice cost.
    /// </summary>
    public int HeightDecimation { get; set; } = 2;

    /// <summary>Laplacian-pyramid levels used by the fusion.</summary>
    public int PyramidLevels { get; set; } = 5;

    /// <summary>Majority window of the consistency filter applied to each level's selection mask (odd, ≥ 1).</summary>
    public int ConsistencyWindowPixels { get; set; } = 5;

    /// <summary>
    /// Weighs each slice's level-1 fusion activity by the share of its gradient energy its registration warp keeps
    /// (<see cref="Stacking.WarpDetailGain"/>), so that of slices about equally in focus the one least blurred by
    /// resampling supplies the finest detail. Only the fusion sees the weight; the depth uses the focus measure as
    /// taken. Takes effect with <see cref="HeightDecimation"/> 2 (the default) and the Linear or Cubic warp, for any
    /// focus measure; the gain models the Sobel energy Tenengrad measures, so for the Laplacian measures (which lose
    /// more at a given phase) it is an approximation.
    /// </summary>
    public bool WarpAwareFusion { get; set; } = true;

    /// <summary>
    /// A pixel's height is valid only when the peak of its z-smoothed focus curve rises above the curve's mean by at
    /// least this many times the focus measure of pure read noise (the confidence map's unit). Rejects texture-free
    /// surfaces, whose curves are noise.
    /// </summary>
    public double MinConfidence { get; set; } = 2.0;

    /// <summary>
    /// …and when (peak − mean) / std of the z-smoothed curve reaches this (rejects flat or monotonic curves). The
    /// wide z-smoothing broadens every peak, which lowers this ratio for real peaks too: 1.5 rejected half the breech
    /// face, 1.2 keeps it (docs/imaging.md).
    /// </summary>
    public double MinPeakSharpness { get; set; } = 1.2;

    public bool Register { get; set; } = true;

    /// <summary>How slice-to-slice shifts are measured; see docs/imaging.md for why NCC is the default.</summary>
    public RegistrationMethod RegistrationMethod { get; set; } = RegistrationMethod.NormalisedCrossCorrelation;

    /// <summary>
    /// Registration works on a downscaled central crop; this is the downscale factor (1, 2 or 4), or 0 to choose
    /// the largest that leaves the frame's shorter side at least 512 px (4 at 2448×2048, 1 on small sensors): the
    /// crop then covers more of the field, and what survives the downscale is matched after a high-pass
    /// (<see cref="RegistrationHighPass"/>).
    /// </summary>
    public int RegistrationDownscale { get; set; }

    /// <summary>
    /// Side of the square central crop registration works on, in downscaled pixels (at most the frame's shorter
    /// side). A caller that knows where the surface ends narrows it so that no edge of the part falls inside: the
    /// blurred step of such an edge, whose blur changes with z, pulls the match along with it (docs/imaging.md).
    /// </summary>
    public int RegistrationCropPixels { get; set; } = 256;

    /// <summary>
    /// Registration peaks below this are treated as a failure: the NCC coefficient (0–1) or, for phase
    /// correlation, OpenCV's response (use about 0.03).
    /// </summary>
    public double MinRegistrationResponse { get; set; } = 0.3;

    /// <summary>
    /// A registration is a failure when another peak of the score map, distinct from the best (a valley between
    /// them), matches nearly as well: the best's mismatch (1 − NCC) is at least this fraction of the competitor's. The
    /// texture then repeats (parallel tool marks) and the match is ambiguous. On the simulator's random textures the
    /// ratio stayed ≤ 0.22; on striated ones the wrong peak often won (docs/imaging.md).
    /// </summary>
    public double MaxCompetingPeakRatio { get; set; } = 0.5;

    /// <summary>
    /// Where the score peak is a ridge (parallel tool marks), the slice is also matched against the slice before the
    /// previous one; when the two positions differ by more than this (full-resolution pixels), the slice fails
    /// registration. Along the marks only the grain fixes the position, and over weak grain a slice could slip a few
    /// pixels along them with a high score. On the synthetic striated stacks 1.25 separates the two: right
    /// registrations disagreed by at most 0.96 px, the slipped slice by 1.7 px (docs/imaging.md). Infinity turns the
    /// check off.
    /// </summary>
    public double MaxCrossCheckDisagreementPixels { get; set; } = 1.25;

    /// <summary>
    /// When registration works downscaled (×2 or ×4), both crops are high-passed before they are matched (the crop
    /// minus its Gaussian blur of σ = 1 crop pixel). The downscale averages the pixel-pitch texture away, and what is
    /// left is dominated by large, low-frequency features; a blurred depth step (the primer pocket's edge) is one,
    /// and its blur changes with z, so every neighbour-to-neighbour match is pulled the same way and the chain walks
    /// (0.58 px over 32 slices, docs/benchmarks.md session 14). At full resolution (×1) the crops are matched as they
    /// are: a high-pass there stopped the same walk on a 512 px crop (−0.94 → −0.01 px) but left 11 of the 32 slices,
    /// the defocused ends, without enough fine texture to register (held); the default 256 px crop walked 0.1 px.
    /// Phase correlation whitens the spectrum itself and is never high-passed.
    /// </summary>
    public bool RegistrationHighPass { get; set; } = true;

    /// <summary>A slice-to-slice shift larger than this (full-resolution pixels) is treated as a failure.</summary>
    public double MaxShiftPerSlicePixels { get; set; } = 40;

    /// <summary>
    /// Interpolation of the per-slice image warp (the focus map is measured before the warp, so this affects only the
    /// fused image). Linear and Cubic run the stacker's own separable warp (Cubic: Keys, a = −0.5, ≈ 0.8 ms more CPU
    /// a 2448×2048 slice); any other value goes through OpenCV's warpAffine. Cubic keeps 1.2 dB more of the
    /// simulator's pixel-pitch texture under jitter and drift, but leaves a 3.5–6.8 % halo at sharp edges and keeps
    /// more of the read noise on smooth texture (−0.3 dB on the synthetic stacks), so Linear stays the default
    /// (docs/imaging.md, session 11).
    /// </summary>
    public OpenCvSharp.InterpolationFlags WarpInterpolation { get; set; } = OpenCvSharp.InterpolationFlags.Linear;

    public RegistrationFailurePolicy OnRegistrationFailure { get; set; } = RegistrationFailurePolicy.Throw;

    public MagnificationModel Magnification { get; set; } = MagnificationModel.Identity;

    /// <summary>
    /// Runs each slice's work in two stages on two threads: Add registers and warps slice n + 1 while slice n is
    /// fused and depth-tracked. The results are bit-identical to the sequential order. On by default since session 5:
    /// on the quiet 2-core machine it cuts the wall time per slice by 10–25 % for the same CPU, and with the
    /// second stage's state allocated on the caller's thread the `acq stack` peak is the sequential one
    /// (docs/benchmarks.md). Off runs every stage on the caller's thread (the bench's per-stage profile needs that).
    /// </summary>
    public bool PipelineStages { get; set; } = true;

    /// <summary>
    /// The registration downscale used for frames of this size: <see cref="RegistrationDownscale"/>, or for 0 the
    /// largest of 4, 2 and 1 that leaves the shorter side at least 512 px.
    /// </summary>
    public int EffectiveRegistrationDownscale(int width, int height)
    {
        if (RegistrationDownscale != 0)
        {
            return RegistrationDownscale;
        }
        int side = Math.Min(width, height);
        return side >= 4 * 512 ? 4 : side >= 2 * 512 ? 2 : 1;
    }

    /// <summary>
    /// The side of the registration crop used for frames of this size, in downscaled pixels: <see cref="RegistrationCropPixels"/>,
    /// at most the frame's shorter side, and even (the crop is centred on the frame).
    /// </summary>
    public int EffectiveRegistrationCropPixels(int width, int height)
    {
        int crop = Math.Min(RegistrationCropPixels, Math.Min(width, height) / EffectiveRegistrationDownscale(width, height));
        return crop - (crop % 2);
    }

    /// <summary>Throws with a message naming the bad setting.</summary>
    public void Validate()
    {
        if (FocusWindowPixels < 3 || FocusWindowPixels % 2 == 0)
        {
            throw new ArgumentException($"FocusWindowPixels must be odd and ≥ 3 (got {FocusWindowPixels}); 9 is the measured default.");
        }
        if (!(ZSmoothingSigmaMicrometres >= 0) || double.IsInfinity(ZSmoothingSigmaMicrometres))
        {
            throw new ArgumentException($"ZSmoothingSigmaMicrometres must be ≥ 0 (got {ZSmoothingSigmaMicrometres}).");
        }
        if (HeightDecimation is not (1 or 2))
        {
            throw new ArgumentException($"HeightDecimation must be 1 or 2 (got {HeightDecimation}).");
        }
        if (PyramidLevels is < 1 or > 8)
        {
            throw new ArgumentException($"PyramidLevels must be 1–8 (got {PyramidLevels}).");
        }
        if (ConsistencyWindowPixels < 1 || ConsistencyWindowPixels % 2 == 0)
        {
            throw new ArgumentException($"ConsistencyWindowPixels must be odd and ≥ 1 (got {ConsistencyWindowPixels}).");
        }
        if (RegistrationDownscale is not (0 or 1 or 2 or 4))
        {
            throw new ArgumentException($"RegistrationDownscale must be 0 (auto), 1, 2 or 4 (got {RegistrationDownscale}).");
        }
        if (RegistrationCropPixels < 32)
        {
            throw new ArgumentException($"RegistrationCropPixels must be ≥ 32 (got {RegistrationCropPixels}).");
        }
        if (!(MinConfidence >= 0) || !(MinPeakSharpness >= 0) || !(MinRegistrationResponse >= 0) || !(MaxShiftPerSlicePixels > 0))
        {
            throw new ArgumentException("MinConfidence must be ≥ 0, MinPeakSharpness ≥ 0, MinRegistrationResponse ≥ 0 and MaxShiftPerSlicePixels > 0.");
        }
        if (!(MaxCompetingPeakRatio > 0 && MaxCompetingPeakRatio <= 1))
        {
            throw new ArgumentException($"MaxCompetingPeakRatio must be in (0, 1] (got {MaxCompetingPeakRatio}); 0.5 is the measured default, 1 turns the check off.");
        }
        if (!(MaxCrossCheckDisagreementPixels > 0))
        {
            throw new ArgumentException($"MaxCrossCheckDisagreementPixels must be > 0 (got {MaxCrossCheckDisagreementPixels}); 1.25 was measured on striated stacks, infinity turns the check off.");
        }
        ArgumentNullException.ThrowIfNull(Magnification);
    }
}
