using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;

namespace Acquisition.Station.Storage;

/// <summary>
/// Start-up work on the data directory, before any device is opened: create the layout, remove what a crash left
/// in tmp/, check the audit chain, and record a configuration change in the audit log.
/// </summary>
public sealed class StationDataSetup(
    DataDirectory data,
    DurableFileWriter writer,
    AuditLog audit,
    IConfiguration configuration,
    IEnumerable<StationConfigurationSection> sections,
    ILogger<StationDataSetup> log)
{
    public const string ConfigChangedAction = "config.changed";

    public string SnapshotDirectory => Path.Combine(data.Audit, "config");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        data.EnsureCreated();
        CleanTmp();
        if (await audit.RecoverTornTailAsync(cancellationToken).ConfigureAwait(false) is { } torn)
        {
            log.LogWarning("The audit log ended in an append a crash interrupted: {Bytes} bytes (sha256 {Sha256}) were moved to {SavedAs} and the cut is recorded as entry {Action}.",
                torn.Bytes, torn.Sha256, torn.SavedAs, AuditLog.TornTailAction);
        }
        var verification = await audit.VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (!verification.IsIntact)
        {
            // Refusing to start would stop evidence capture; the break is logged loudly and stays detectable.
            log.LogCritical("Audit log {Path} is broken at line {Line}: {Problem}. Keep a copy for investigation.",
                audit.FilePath, verification.FirstBadLine, verification.Problem);
        }
        await AuditConfigurationAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CleanTmp()
    {
        var removed = 0;
        foreach (var entry in new DirectoryInfo(data.Tmp).EnumerateFileSystemInfos())
        {
            // Nothing else writes here while the station runs, so anything present at start is an interrupted write.
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
