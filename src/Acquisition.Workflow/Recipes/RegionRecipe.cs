using Acquisition.Core.Domain;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Recipes;

/// <summary>How one region of the casing head is stacked.</summary>
/// <param name="Region">Which mark.</param>
/// <param name="OffsetX">Stage offset of the region centre from the primer centre, X.</param>
/// <param name="OffsetY">Stage offset of the region centre from the primer centre, Y.</param>
/// <param name="ZFrom">Stack start relative to the autofocus position (the lower end: Z is approached from below).</param>
/// <param name="ZTo">Stack end relative to the autofocus position.</param>
/// <param name="ZStep">Distance between slices.</param>
/// <param name="Lightings">Interleaved at each z.</param>
/// <param name="Exposure">Camera exposure for every lighting of this region.</param>
/// <param name="Mask">Where QC coverage is measured.</param>
/// <param name="Qc">Acceptance thresholds.</param>
public sealed record RegionRecipe(
    Region Region,
    Micrometres OffsetX,
    Micrometres OffsetY,
    Micrometres ZFrom,
    Micrometres ZTo,
    Micrometres ZStep,
    IReadOnlyList<LightingStep> Lightings,
    TimeSpan Exposure,
    RegionMask Mask,
    RegionQcThresholds Qc)
{
    /// <summary>Slices in the stack, both ends included.</summary>
    public int SliceCount => (int)Math.Floor(((ZTo - ZFrom).Value / ZStep.Value) + 1e-9) + 1;

    /// <summary>The stack positions relative to focus, ascending.</summary>
    public IEnumerable<Micrometres> SlicePositions()
    {
        for (var i = 0; i < SliceCount; i++)
        {
            yield return ZFrom + (ZStep * i);
        }
    }
}
