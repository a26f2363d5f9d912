using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Acquisition.Core.Storage;

namespace Acquisition.Station.Web;

/// <summary>
/// Keeps PIN lockouts on disk (<c>&lt;data&gt;/web/pin-locks/</c>) so that restarting the daemon does not hand a guesser
/// a fresh set of attempts. One file per lock, written once through <see cref="DurableFileWriter"/> (a crash leaves the
/// whole lock or none); the file name carries a hash of the id, never the typed text. Expired or cleared locks are
/// deleted: they are not evidence (the audit log keeps every failure and lock).
/// </summary>
public sealed class PinLockStore(string directory, DurableFileWriter writer, ILogger<PinLockStore>? log = null)
{
    private sealed record PinLock(string Id, DateTimeOffset LockedUntil);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Directory { get; } = directory;

    /// <summary>The locks still running at <paramref name="now"/>; files of expired locks are removed.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Load(DateTimeOffset now)
    {
        var locks = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        if (!System.IO.Directory.Exists(Directory))
        {
            return locks;
        }
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            PinLock? entry;
            try
            {
                entry = JsonSerializer.Deserialize<PinLock>(File.ReadAllBytes(file), Json);
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                log?.LogWarning("PIN lock file {File} is unreadable ({Error}); it is ignored. Delete it, the audit log keeps the lock's history.", file, e.Message);
                continue;
            }
            if (entry is null || string.IsNullOrWhiteSpace(entry.Id))
            {
                log?.LogWarning("PIN lock file {File} names no operator id; it is ignored. Delete it.", file);
                continue;
            }
            if (entry.LockedUntil <= now)
            {
                TryDelete(file);
                continue;
            }
            if (!locks.TryGetValue(entry.Id, out var known) || known < entry.LockedUntil)
            {
                locks[entry.Id] = entry.LockedUntil;
            }
        }
        return locks;
    }

    public async Task SaveAsync(string id, DateTimeOffset lockedUntil, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory, $"{Prefix(id)}-{lockedUntil.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)}.json");
        if (File.Exists(path))
        {
            return; // the same lock, already durable
        }
        await writer.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(new PinLock(id, lockedUntil.ToUniversalTime()), Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the id's lock files (its lock ran out or was cleared).</summary>
    public void Remove(string id)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, Prefix(id) + "-*.json"))
        {
            TryDelete(file);
        }
    }

    private void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException e)
        {
            log?.LogWarning("Could not delete the expired PIN lock file {File}: {Error}", file, e.Message);
        }
    }

    private static string Prefix(string id) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id.Trim().ToUpperInvariant())))[..24];
}
