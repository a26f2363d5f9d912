using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Capture.Record;

/// <summary>One attempt at a region (the first, or the retry), what it was run with and how it measured.</summary>
/// <param name="RegistrationDownscale">The scale the slices were registered at (1 = full resolution); 0 when not known.</param>
/// <param name="RegistrationCropPixels">The side of the central crop registered on, in downscaled pixels: narrower near the rim, so that it stays on the flat head face.</param>
public sealed record RegionAttemptRecord(
    int Attempt,
    double ExposureMilliseconds,
    double ZFromMicrometres,
    double ZToMicrometres,
    double ZStepMicrometres,
    string? Adjustment,
    RegionQualityMetrics? Metrics,
    bool Passed,
    IReadOnlyList<string> Reasons,
    int RegistrationDownscale = 0,
    int RegistrationCropPixels = 0);
