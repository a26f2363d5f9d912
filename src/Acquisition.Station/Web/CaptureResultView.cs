namespace Acquisition.Station.Web;

/// <summary>
/// One sealed capture of the day: outcome with reasons, QC and image links per region, and where its upload stands
/// in the outbox (<paramref name="UploadState"/>: "none", "queued", "uploading", "uploaded", "rejected").
/// </summary>
public sealed record CaptureResultView(
    string CaptureId,
    DateTimeOffset StartedAt,
    string CaseNumber,
    string Exhibit,
    string Item,
    string OperatorId,
    string Outcome,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<RegionResultView> Regions,
    string UploadState,
    string? UploadReason);
