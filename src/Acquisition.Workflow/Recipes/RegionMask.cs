using Acquisition.Core.Units;

namespace Acquisition.Workflow.Recipes;

/// <summary>
/// The annulus (centred on the region's centre) over which QC coverage is measured. The inner radius lets the breech
/// face exclude the firing-pin impression, which is deeper than the breech-face z-range.
/// </summary>
public sealed record RegionMask(Micrometres OuterRadius, Micrometres InnerRadius);
