namespace Acquisition.Core.Control;

/// <summary>One capture's progress towards one destination.</summary>
/// <param name="LastError">The last error, with the server's own error body for a rejection.</param>
public sealed record OutboxDestinationProgress(
    string Destination,
    OutboxState State,
    long BytesConfirmed,
    long BytesTotal,
    int Attempts,
    string? LastError,
    DateTimeOffset? DeliveredAt,
    string? ManifestDigest = null);
