namespace Acquisition.Station.Web;

/// <summary>
/// The running (or last) capture as the page shows it. <paramref name="Phase"/> is "idle", "running", "done",
/// "aborted", "failed" or "refused"; <paramref name="Step"/> the sequence's phase while running (Preconditions,
/// LocatingPrimer, Autofocus, Stacking, Sealing). Times are seconds on the station's clock.
/// </summary>
public sealed record CaptureProgressView(
    string Phase,
    string? Step,
    string? CaptureId,
    string? Region,
    int RegionIndex,
    int RegionCount,
    string? Lighting,
    int Attempt,
    int Slice,
    int SliceCount,
    int FramesDone,
    int FramesPlanned,
    double Fraction,
    double ElapsedSeconds,
    double? RemainingSeconds,
    IReadOnlyList<RegionProgressView> Regions,
    string? Reason)
{
    public static CaptureProgressView Idle { get; } = new("idle", null, null, null, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, null, [], null);
}
