namespace Acquisition.Station.Web;

/// <summary>One finished capture: QC per region, image links and where its upload stands.</summary>
public sealed record CaptureResultView(
    string CaptureId,
    DateTimeOffset StartedAt,
    string CaseNumber,
    string Outcome,
    IReadOnlyList<RegionResultView> Regions,
    string? UploadState,
    string? UploadReason);
