namespace Acquisition.Workflow.Capture;

/// <summary>
/// A snapshot of a running capture, published at each phase change and after every stack frame, so that the technician
/// page and the console can show progress per region and lighting with an ETA without polling the sequence.
/// </summary>
/// <param name="CaptureId">The capture's id.</param>
/// <param name="Phase">The current phase.</param>
/// <param name="Region">The region being stacked (null outside <see cref="CapturePhase.Stacking"/>).</param>
/// <param name="RegionIndex">Zero-based index of <paramref name="Region"/> in the recipe.</param>
/// <param name="RegionCount">Number of regions in the recipe (0 until the recipe is known).</param>
/// <param name="Lighting">The lighting of the last frame taken, by its recipe name.</param>
/// <param name="Attempt">1 for the first stack of a region, 2 for its QC retry.</param>
/// <param name="Slice">Zero-based slice index within the region's stack.</param>
/// <param name="SliceCount">Slices in the region's stack.</param>
/// <param name="FramesDone">Stack frames taken so far in the whole capture.</param>
/// <param name="FramesPlanned">Stack frames the recipe plans for the whole capture (retries add to it).</param>
/// <param name="Elapsed">Time since the capture started, on the station's clock.</param>
/// <param name="EstimatedRemaining">Extrapolated from the stack frames so far; null until the first frame.</param>
public sealed record CaptureProgress(
    string CaptureId,
    CapturePhase Phase,
    string? Region,
    int RegionIndex,
    int RegionCount,
    string? Lighting,
    int Attempt,
    int Slice,
    int SliceCount,
    int FramesDone,
    int FramesPlanned,
    TimeSpan Elapsed,
    TimeSpan? EstimatedRemaining)
{
    /// <summary>Fraction of the planned stack frames done, 0–1.</summary>
    public double Fraction => FramesPlanned <= 0 ? 0 : Math.Clamp((double)FramesDone / FramesPlanned, 0, 1);
}
