namespace Acquisition.Core.Control;

/// <summary>One capture at one destination (the uplink's OutboxDelivery, plus byte progress while uploading).</summary>
/// <param name="Reason">Why it is rejected or waiting for a retry.</param>
/// <param name="ServerError">For a rejection: the server's own error body.</param>
/// <param name="OciManifestDigest">The manifest digest recorded at enqueue.</param>
/// <param name="VerifiedDigest">The digest read back from the destination after the push.</param>
/// <param name="BytesConfirmed">Bytes the destination confirmed so far (null when not uploading).</param>
public sealed record OutboxDestinationProgress(
    string Destination,
    OutboxState State,
    string? Reason,
    string? ServerError,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? OciManifestDigest,
    string? VerifiedDigest,
    long? BytesConfirmed = null,
    long? BytesTotal = null);
