namespace Acquisition.Uplink;

public enum EnqueueOutcome
{
    /// <summary>Newly queued for every destination its routing selects.</summary>
    Enqueued,

    /// <summary>Was already in the outbox; nothing changed (enqueue is idempotent).</summary>
    AlreadyQueued,

    /// <summary>capture.json status is not "complete" (failed or aborted): never uploaded as a complete capture.</summary>
    NotComplete,

    /// <summary>The package does not verify: recorded as Rejected with the problems, never uploaded.</summary>
    Rejected,
}
