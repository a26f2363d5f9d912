using Acquisition.Workflow.Timing;

namespace Acquisition.Workflow.Capture.Record;

/// <summary>The timing report in seconds, for capture.json.</summary>
public sealed record TimingRecord(
    double TotalSeconds,
    double FloorSeconds,
    double Ratio,
    double MovesSeconds,
    double SettlesSeconds,
    double ExposuresSeconds,
    double FrameStartWaitsSeconds,
    int MoveCount,
    int FrameCount)
{
    public static TimingRecord From(TimingReport r) => new(
        r.Total.TotalSeconds, r.Floor.TotalSeconds, double.IsFinite(r.Ratio) ? r.Ratio : 0, r.Moves.TotalSeconds, r.Settles.TotalSeconds,
        r.Exposures.TotalSeconds, r.FrameStartWaits.TotalSeconds, r.MoveCount, r.FrameCount);
}
