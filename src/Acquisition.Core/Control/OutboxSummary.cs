namespace Acquisition.Core.Control;

/// <summary>Counts of outbox entries per state over all destinations, and the age of the backlog.</summary>
/// <param name="OldestPendingAt">When the oldest capture still waiting was enqueued (UTC), or null.</param>
public sealed record OutboxSummary(int Pending, int Uploading, int Delivered, int Rejected, int Held, DateTimeOffset? OldestPendingAt);
