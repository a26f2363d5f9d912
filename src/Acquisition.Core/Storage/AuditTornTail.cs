namespace Acquisition.Core.Storage;

/// <summary>
/// The remains of an append that a crash interrupted, cut from the end of the audit log at start-up.
/// </summary>
/// <param name="AfterSequence">The last whole entry's sequence number (−1 when the log held none).</param>
/// <param name="Bytes">How many bytes were cut.</param>
/// <param name="Sha256">Their SHA-256, as recorded in the audit entry that reports the cut.</param>
/// <param name="SavedAs">The file that keeps them.</param>
public sealed record AuditTornTail(long AfterSequence, long Bytes, string Sha256, string SavedAs);
