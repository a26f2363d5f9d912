namespace Acquisition.Station.Web;

/// <summary>
/// The "upload" event of the page: where one capture's upload stands in the outbox, as in
/// <see cref="CaptureResultView.UploadState"/> and <see cref="CaptureResultView.UploadReason"/>.
/// </summary>
public sealed record UploadStatusView(string CaptureId, string UploadState, string? UploadReason);
