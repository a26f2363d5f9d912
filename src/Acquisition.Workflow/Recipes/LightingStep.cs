using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Recipes;

/// <summary>One lighting of a region's sequence: which ring segments at what intensity, and the coaxial light.</summary>
public sealed record LightingStep(string Name, IReadOnlyList<int> Segments, double Intensity, double Coaxial)
{
    public LightingState ToState(int segmentCount) => LightingState.Segmented(segmentCount, Segments, Intensity, Coaxial);
}
