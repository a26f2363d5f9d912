namespace Acquisition.Imaging.Comparison;

/// <summary>
/// How two breech-face height maps are compared. The defaults are the method: quadratic form removal,
/// Gaussian band-pass 16–500 µm, resampling to 6.25 µm, then the peak masked normalised cross-correlation over all
/// rotations and translations whose overlap is at least half the smaller valid area.
/// </summary>
public sealed record CorrelationSettings
{
    /// <summary>Total degree of the polynomial form removed before filtering (2 = quadratic).</summary>
    public int FormDegree { get; init; } = 2;

    public double ShortCutoffMicrometres { get; init; } = 16;
    public double LongCutoffMicrometres { get; init; } = 500;

    /// <summary>Grid spacing of the compared maps. At 2 µm the rotation search is about 10× slower for no gain.</summary>
    public double PixelSizeMicrometres { get; init; } = 6.25;

    /// <summary>The least overlap accepted, as a fraction of the smaller valid area.</summary>
    public double MinOverlapFraction { get; init; } = 0.5;

    /// <summary>
    /// The coarse-to-fine rotation search: per level the block-averaging factor applied to the 6.25 µm maps and the
    /// angle step. The first level scans the whole circle; each later level searches ± the previous step around the
    /// best angles found so far.
    /// </summary>
    public IReadOnlyList<(int Downscale, double AngleStepDegrees)> SearchLevels { get; init; } = [(4, 3.0), (2, 1.0), (1, 0.25)];

    /// <summary>How many distinct best angles each level hands on to the next (the last level keeps one).</summary>
    public int CandidatesPerLevel { get; init; } = 4;

    /// <summary>Throws with the name of every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (FormDegree is < 0 or > 4)
        {
            errors.Add($"{nameof(FormDegree)} = {FormDegree}: 0–4 (2 is a quadratic)");
        }
        if (!(ShortCutoffMicrometres > 0) || !(LongCutoffMicrometres > ShortCutoffMicrometres) || double.IsInfinity(LongCutoffMicrometres))
        {
            errors.Add($"cut-offs {ShortCutoffMicrometres}–{LongCutoffMicrometres} µm: need 0 < short < long");
        }
        if (!(PixelSizeMicrometres > 0) || double.IsInfinity(PixelSizeMicrometres))
        {
            errors.Add($"{nameof(PixelSizeMicrometres)} = {PixelSizeMicrometres}: must be > 0");
        }
        if (!(MinOverlapFraction is > 0 and <= 1))
        {
            errors.Add($"{nameof(MinOverlapFraction)} = {MinOverlapFraction}: 0 < f ≤ 1");
        }
        if (SearchLevels is null || SearchLevels.Count == 0)
        {
            errors.Add($"{nameof(SearchLevels)}: at least one level");
        }
        else
        {
            for (var i = 0; i < SearchLevels.Count; i++)
            {
                var (downscale, step) = SearchLevels[i];
                if (downscale < 1 || !(step > 0 && step <= 90))
                {
                    errors.Add($"{nameof(SearchLevels)}[{i}] = ({downscale}, {step}°): downscale ≥ 1 and 0 < step ≤ 90°");
                }
                if (i > 0 && !(step < SearchLevels[i - 1].AngleStepDegrees))
                {
                    errors.Add($"{nameof(SearchLevels)}[{i}]: each level's angle step must be finer than the one before");
                }
            }
        }
        if (CandidatesPerLevel < 1)
        {
            errors.Add($"{nameof(CandidatesPerLevel)} = {CandidatesPerLevel}: at least 1");
        }
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid correlation settings: " + string.Join("; ", errors));
        }
    }
}
