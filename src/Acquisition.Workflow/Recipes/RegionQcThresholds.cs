using Acquisition.Core.Units;

namespace Acquisition.Workflow.Recipes;

/// <summary>What a region's stack must reach to be accepted.</summary>
/// <param name="MinFocusCoveragePercent">Valid (confidently focused) pixels inside the region mask.</param>
/// <param name="MaxSaturationPercent">Saturated pixels in any fused image.</param>
/// <param name="MaxRegistrationResidualPixels">Worst registration residual between neighbouring slices.</param>
/// <param name="MinDepthRange">The height map must span at least this much; a flat polished primer does not.</param>
public sealed record RegionQcThresholds(
    double MinFocusCoveragePercent,
    double MaxSaturationPercent,
    double MaxRegistrationResidualPixels,
    Micrometres MinDepthRange);
