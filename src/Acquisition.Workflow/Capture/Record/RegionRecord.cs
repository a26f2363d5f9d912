namespace Acquisition.Workflow.Capture.Record;

/// <summary>A region in capture.json: its outcome, every attempt, the stage positions of its slices and its files.</summary>
public sealed record RegionRecord(
    string Region,
    string Status,
    IReadOnlyList<RegionAttemptRecord> Attempts,
    double StageXMicrometres,
    double StageYMicrometres,
    IReadOnlyList<double> SliceZMicrometres,
    IReadOnlyList<string> Files);
