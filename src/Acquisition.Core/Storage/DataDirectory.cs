namespace Acquisition.Core.Storage;

/// <summary>
/// The station's data directory. Everything lives on one filesystem so that a rename from <see cref="Tmp"/> into
/// place is atomic. Layout (documented in README):
/// <code>
/// packages/     sealed evidence packages, one folder per capture id, never overwritten
/// tmp/          staging for durable writes (same filesystem as packages/)
/// unsealed/     captures that never sealed, kept for forensics (moved out of tmp/ at start)
/// outbox.db     the uplink queue (SQLite, WAL)
/// calibration/  versioned calibration records and their history
/// audit/        the hash-chained audit log
/// keys/         the station signing key (mode 0700)
/// logs/         application logs when not under journald
/// </code>
/// </summary>
public sealed class DataDirectory
{
    public DataDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string Packages => Path.Combine(Root, "packages");
    public string Tmp => Path.Combine(Root, "tmp");
    public string OutboxDatabase => Path.Combine(Root, "outbox.db");
    public string Calibration => Path.Combine(Root, "calibration");
    public string Audit => Path.Combine(Root, "audit");
    public string Keys => Path.Combine(Root, "keys");
    public string Logs => Path.Combine(Root, "logs");

    /// <summary>Creates the layout (idempotent) with restrictive modes on keys/.</summary>
    public DataDirectory EnsureCreated()
    {
        foreach (var dir in new[] { Root, Packages, Tmp, Calibration, Audit, Logs })
        {
            Directory.CreateDirectory(dir);
        }
        if (!Directory.Exists(Keys))
        {
            Directory.CreateDirectory(Keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return this;
    }
}
