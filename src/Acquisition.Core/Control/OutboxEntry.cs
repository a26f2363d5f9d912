namespace Acquisition.Core.Control;

/// <summary>GET /outbox and GET /outbox/{captureId}: one queued capture and its state per destination.</summary>
public sealed record OutboxEntry(
    string CaptureId,
    DateTimeOffset EnqueuedAt,
    long SizeBytes,
    bool OnHold,
    IReadOnlyList<OutboxDestinationProgress> Destinations);
