namespace Acquisition.Uplink;

/// <summary>
/// Named points in the outbox and upload code. Production passes <see cref="NoCheckpoints"/>; the crash-test harness
/// kills its own process at a seeded checkpoint so that every interleaving it reports can be reproduced.
/// </summary>
public interface IUplinkCheckpoints
{
    void Reached(string checkpoint);

    /// <summary>
    /// A chunk of a blob is about to go on the wire; the crash test adds these up to measure what a resume re-sends.
    /// </summary>
    void Sending(string blobDigest, long offset, int length)
    {
    }
}
