namespace Acquisition.Core.Storage;

/// <summary>The outcome of checking the audit chain.</summary>
/// <param name="IsIntact">True when every line's hash and link verify.</param>
/// <param name="Entries">How many lines were checked.</param>
/// <param name="FirstBadLine">1-based line number of the first line that does not verify, or null.</param>
/// <param name="Problem">What is wrong with that line.</param>
/// <param name="HeadHash">The hash of the last good line.</param>
public sealed record AuditVerification(bool IsIntact, long Entries, long? FirstBadLine, string? Problem, string HeadHash);
