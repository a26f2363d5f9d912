namespace Acquisition.Core.Control;

/// <summary>
/// One correction supplement of a sealed capture, as POST and GET /captures/{captureId}/corrections answer it.
/// </summary>
/// <param name="CorrectionId">The supplement's own id (a ULID; its package is packages/&lt;CorrectionId&gt;).</param>
/// <param name="Sequence">1 for the first correction of the capture, 2 for the next, ...</param>
/// <param name="Operator">The OS user (SO_PEERCRED) who made it.</param>
/// <param name="OriginalManifestSha256">SHA-256 of the corrected package's manifest.json, as the correction references it.</param>
/// <param name="ManifestSha256">SHA-256 of the supplement's own manifest.json.</param>
/// <param name="Upload">Where the supplement is in the outbox, per destination; empty when it is not queued.</param>
/// <param name="UploadNote">Why it is not queued (e.g. its original is not uploaded), when it is not.</param>
public sealed record CaptureCorrectionReport(
    string CorrectionId,
    string CaptureId,
    int Sequence,
    IReadOnlyList<CorrectionFieldChange> Changes,
    string Reason,
    string Operator,
    DateTimeOffset CorrectedAt,
    string OriginalManifestSha256,
    string ManifestSha256,
    string PackagePath,
    IReadOnlyList<OutboxDestinationProgress> Upload,
    string? UploadNote = null);
