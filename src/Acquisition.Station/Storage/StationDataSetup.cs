using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;

namespace Acquisition.Station.Storage;

/// <summary>
/// Start-up work on the data directory, before any device is opened: create the layout, cut a torn audit tail,
/// keep a capture that never sealed (tmp/*.staging, moved to unsealed/ and audited file by file) and remove the rest
/// of what a crash left in tmp/, check the audit chain, and record a configuration change in the audit log.
/// </summary>
public sealed class StationDataSetup(
    DataDirectory data,
    DurableFileWriter writer,
    AuditLog audit,
    IConfiguration configuration,
    IEnumerable<StationConfigurationSection> sections,
    ILogger<StationDataSetup> log,
    IDurableFileSystem? fileSystem = null)
{
    public const string ConfigChangedAction = "config.changed";

    public string SnapshotDirectory => Path.Combine(data.Audit, "config");

    public const string UnsealedKeptAction = "capture.unsealed-kept";

    /// <summary>Where capture staging directories that never sealed are kept (never deleted by the station).</summary>
    public string UnsealedDirectory => Path.Combine(data.Root, "unsealed");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        data.EnsureCreated();
        var writable = true;
        try
        {
            if (await audit.RecoverTornTailAsync(cancellationToken).ConfigureAwait(false) is { } torn)
            {
                log.LogWarning("The audit log ended in an append a crash interrupted: {Bytes} bytes (sha256 {Sha256}) were moved to {SavedAs} and the cut is recorded as entry {Action}.",
                    torn.Bytes, torn.Sha256, torn.SavedAs, AuditLog.TornTailAction);
            }
        }
        catch (InvalidDataException ex)
        {
            // Damage a crash cannot cause. Refusing to start would hide the station from /status and the service
            // console; it starts, says so loudly, and everything that must be audited (a capture) fails with this message.
            writable = false;
            log.LogCritical("{Problem}", ex.Message);
        }
        if (writable)
        {
            await CleanTmpAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            log.LogCritical("tmp/ is left as it is until the audit log is restored: a capture that never sealed is only moved with an audit entry.");
        }
        var verification = await audit.VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (!verification.IsIntact)
        {
            // Refusing to start would stop evidence capture; the break is logged loudly and stays detectable.
            log.LogCritical("Audit log {Path} is broken at line {Line}: {Problem}. Keep a copy for investigation.",
                audit.FilePath, verification.FirstBadLine, verification.Problem);
        }
        if (writable)
        {
            await AuditConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CleanTmpAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var entry in new DirectoryInfo(data.Tmp).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo staging && staging.Name.EndsWith(".staging", StringComparison.Ordinal))
            {
                // A capture that never sealed (a crash, a power cut, a seal that failed): what it wrote is evidence of
                // what happened, kept for forensics as the package builder promises, not emptied with the rest.
                await KeepUnsealedAsync(staging, cancellationToken).ConfigureAwait(false);
                continue;
            }
            // Nothing else writes here while the station runs, so anything else present at start is an interrupted
            // write (a temp file, a deletion retention had audited) that nothing refers to.
            if (entry is DirectoryInfo dir)
            {
                dir.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
            removed++;
        }
        if (removed > 0)
        {
            log.LogWarning("Removed {Count} leftover entries from {Tmp} (writes interrupted by a crash or power cut).", removed, data.Tmp);
        }
    }

    private async Task KeepUnsealedAsync(DirectoryInfo staging, CancellationToken cancellationToken)
    {
        var name = staging.Name[..^".staging".Length];
        Directory.CreateDirectory(UnsealedDirectory);
        var target = Path.Combine(UnsealedDirectory, name);
        for (var n = 2; Directory.Exists(target) || File.Exists(target); n++)
        {
            target = Path.Combine(UnsealedDirectory, $"{name}-{n}");
        }
        // Hashed where it lies, before the move: the audit entry records what the crash left, file by file.
        var files = new List<object>();
        foreach (var file in staging.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            await using var stream = file.OpenRead();
            var sha = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            files.Add(new { path = Path.GetRelativePath(staging.FullName, file.FullName).Replace('\\', '/'), bytes = file.Length, sha256 = sha });
        }
        await audit.AppendAsync("station", UnsealedKeptAction, new
        {
            captureId = name,
            keptAs = Path.GetRelativePath(data.Root, target),
            files,
        }, cancellationToken).ConfigureAwait(false);
        Directory.Move(staging.FullName, target);
        var fs = fileSystem ?? new PosixDurableFileSystem();
        fs.SyncDirectory(UnsealedDirectory);
        fs.SyncDirectory(data.Tmp);
        log.LogWarning("Capture {CaptureId} never sealed: its {Count} files are kept in {Target} (not a package; recorded as {Action}). Capture the casing again.",
            name, files.Count, target, UnsealedKeptAction);
    }

    private async Task AuditConfigurationAsync(CancellationToken cancellationToken)
    {
        var current = ConfigurationSnapshot.Of(configuration, sections);
        IReadOnlyList<AuditEntry> entries;
        try
        {
            entries = await audit.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            // A damaged line (reported above) must not stop the station: the configuration is then recorded in full,
            // as if for the first time, which over-reports a change rather than missing one.
            log.LogWarning("Cannot read the audit log to compare the configuration with the last start ({Problem}); recording it in full.", ex.Message);
            entries = [];
        }
        var last = entries.LastOrDefault(e => e.Action == ConfigChangedAction);
        var lastHash = last?.Details is { } d && d.TryGetProperty("hash", out var h) ? h.GetString() : null;
        if (lastHash == current.Hash)
        {
            log.LogInformation("Configuration unchanged since the last start (sha256 {Hash}).", current.Hash);
            return;
        }
        var snapshotPath = Path.Combine(SnapshotDirectory, current.Hash + ".json");
        if (!File.Exists(snapshotPath))
        {
            await writer.WriteAsync(snapshotPath, System.Text.Encoding.UTF8.GetBytes(current.Json), cancellationToken).ConfigureAwait(false);
        }
        ConfigurationSnapshot? previous = null;
        if (lastHash is not null)
        {
            var previousPath = Path.Combine(SnapshotDirectory, lastHash + ".json");
            if (File.Exists(previousPath))
            {
                previous = ConfigurationSnapshot.FromJson(await File.ReadAllTextAsync(previousPath, cancellationToken).ConfigureAwait(false));
            }
        }
        var diff = current.DiffFrom(previous);
        await audit.AppendAsync(Environment.UserName, ConfigChangedAction, new
        {
            hash = current.Hash,
            previousHash = lastHash,
            snapshot = Path.GetRelativePath(data.Root, snapshotPath),
            added = diff.Added,
            removed = diff.Removed,
            changed = diff.Changed,
        }, cancellationToken).ConfigureAwait(false);
        log.LogInformation("Configuration changed (sha256 {Hash}): {Added} added, {Removed} removed, {Changed} changed; recorded in the audit log.",
            current.Hash, diff.Added.Count, diff.Removed.Count, diff.Changed.Count);
    }
}
