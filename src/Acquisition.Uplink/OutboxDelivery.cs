namespace Acquisition.Uplink;

/// <summary>One capture at one destination, as the outbox holds it.</summary>
public sealed record OutboxDelivery(
    long Sequence,
    string CaptureId,
    string Destination,
    string PackagePath,
    DeliveryState State,
    string? Reason,
    string? ServerError,
    int Attempts,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string OciManifestDigest,
    string? VerifiedDigest);
