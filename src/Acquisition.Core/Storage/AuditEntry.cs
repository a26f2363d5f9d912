using System.Text.Json;

namespace Acquisition.Core.Storage;

/// <summary>One line of the audit log.</summary>
/// <param name="Sequence">1-based, gap-free.</param>
/// <param name="At">UTC.</param>
/// <param name="User">The OS user who caused it: the daemon's user, or the peer of the control socket.</param>
/// <param name="Action">A dotted verb, e.g. "config.changed", "calibration.recorded", "stage.jog".</param>
/// <param name="Details">Action-specific data.</param>
/// <param name="Previous">Hash of the previous line ("0"×64 for the first).</param>
/// <param name="Hash">SHA-256 over the previous hash and this entry's canonical content.</param>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset At,
    string User,
    string Action,
    JsonElement? Details,
    string Previous,
    string Hash);
