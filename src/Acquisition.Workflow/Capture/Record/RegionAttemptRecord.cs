using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Capture.Record;

/// <summary>One attempt at a region (the first, or the retry), what it was run with and how it measured.</summary>
public sealed record RegionAttemptRecord(
    int Attempt,
    double ExposureMilliseconds,
    double ZFromMicrometres,
    double ZToMicrometres,
    double ZStepMicrometres,
    string? Adjustment,
    RegionQualityMetrics? Metrics,
    bool Passed,
    IReadOnlyList<string> Reasons);
