namespace Acquisition.Imaging.Quality;

/// <summary>Acceptance limits for one region's stack; recipes carry their own values.</summary>
public sealed record QualityThresholds
{
    /// <summary>Minimum % of the region mask with a valid height. The depth target is ≤ 10 % invalid.</summary>
    public double MinFocusCoveragePercent { get; init; } = 90;

    /// <summary>Maximum % of the region mask saturated in the fused image.</summary>
    public double MaxSaturationPercent { get; init; } = 1;

    /// <summary>Maximum RMS registration residual, in full-resolution pixels.</summary>
    public double MaxRegistrationResidualPixels { get; init; } = 0.5;

    /// <summary>Maximum noise σ as a fraction of full scale.</summary>
    public double MaxNoiseFullScale { get; init; } = 0.03;

    public static QualityThresholds Default { get; } = new();
}
