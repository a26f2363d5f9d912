namespace Acquisition.Core.Control;

/// <summary>GET /outbox and GET /outbox/{captureId}: one queued capture and its state per destination.</summary>
/// <param name="SizeBytes">The package's total size, when known.</param>
public sealed record OutboxEntry(
    string CaptureId,
    DateTimeOffset EnqueuedAt,
    bool OnHold,
    IReadOnlyList<OutboxDestinationProgress> Destinations,
    long? SizeBytes = null);
