using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Acquisition.Core.Storage;

/// <summary>
/// Append-only, hash-chained JSON-lines audit log. Each line carries the hash of the one before, so editing,
/// deleting or reordering any line breaks the chain from that line on. Each append is fsynced before it returns.
/// </summary>
public sealed class AuditLog
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly IDurableFileSystem _fs;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence = -1;
    private string _head = GenesisHash;
    private AuditTornTail? _recovered;

    public AuditLog(string path, TimeProvider time, IDurableFileSystem? fileSystem = null)
    {
        _path = path;
        _time = time;
        _fs = fileSystem ?? new PosixDurableFileSystem();
    }

    public AuditLog(DataDirectory dataDirectory, TimeProvider time, IDurableFileSystem? fileSystem = null)
        : this(Path.Combine(dataDirectory.Audit, "audit.jsonl"), time, fileSystem)
    {
    }

    public string FilePath => _path;

    /// <summary>Raised after an entry is durably appended.</summary>
    public event EventHandler<AuditEntry>? Appended;

    /// <summary>The hash of the newest entry; a sealed package records it to anchor the chain.</summary>
    public async Task<string> GetHeadHashAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadHeadAsync(cancellationToken).ConfigureAwait(false);
            return _head;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<AuditEntry> AppendAsync(string user, string action, object? details, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        JsonElement? detailElement = details switch
        {
            null => null,
            JsonElement e => e,
            _ => JsonSerializer.SerializeToElement(details, details.GetType(), AuditJson.Options),
        };
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadHeadAsync(cancellationToken).ConfigureAwait(false);
            return await AppendLockedAsync(user, action, detailElement, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Start-up, before anything reads or appends: an append that a crash or power cut interrupted before its fsync
    /// leaves a last line that is incomplete, zero-filled or unparseable. Such a line was never acknowledged (the append
    /// returns only after its fsync), so it is not an entry; but it would make every later append fail and glue the
    /// next entry onto it. Its bytes are kept in <c>torn/</c> beside the log, the log is cut back to its last whole
    /// entry, and an <see cref="TornTailAction"/> entry records the cut (size, SHA-256, where the bytes went). A damaged
    /// line before the last is not touched: that is not a crash's doing, and <see cref="VerifyAsync"/> names it.
    /// </summary>
    /// <returns>What was cut, or null when the log ended on a whole entry.</returns>
    public async Task<AuditTornTail?> RecoverTornTailAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _sequence = -1;
            _head = GenesisHash;
            _recovered = null;
            await LoadHeadAsync(cancellationToken).ConfigureAwait(false);
            return _recovered;
        }
        finally
        {
            _gate.Release();
        }
    }

    public const string TornTailAction = "audit.torn-tail";

    private async Task<AuditEntry> AppendLockedAsync(string user, string action, JsonElement? detailElement, CancellationToken cancellationToken)
    {
        var seq = _sequence + 1;
        var at = _time.GetUtcNow().ToUniversalTime();
        var content = Canonical(seq, at, user, action, detailElement, _head);
        var hash = HashOf(_head, content);
        var entry = new AuditEntry(seq, at, user, action, detailElement, _head, hash);
        var line = Line(content, hash);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var existed = File.Exists(_path);
        using (var stream = _fs.OpenAppend(_path))
        {
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            _fs.Sync(stream);
        }
        if (!existed)
        {
            _fs.SyncDirectory(Path.GetDirectoryName(_path)!);
        }
        _sequence = seq;
        _head = hash;
        Appended?.Invoke(this, entry);
        return entry;
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var result = new List<AuditEntry>();
        if (!File.Exists(_path))
        {
            return result;
        }
        var lines = await File.ReadAllLinesAsync(_path, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            try
            {
                result.Add(Parse(lines[i]));
            }
            catch (Exception ex) when (IsUnparseable(ex))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{_path} line {i + 1} is not an audit entry ({ex.Message}). Keep a copy of the file for investigation; 'acq audit verify' checks the whole chain."), ex);
            }
        }
        return result;
    }

    /// <summary>Checks every line: its own hash, its link to the line before, and the sequence.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_path))
        {
            return new AuditVerification(true, 0, null, null, GenesisHash);
        }
        var lines = await File.ReadAllLinesAsync(_path, cancellationToken).ConfigureAwait(false);
        var previous = GenesisHash;
        long count = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0 && i == lines.Length - 1)
            {
                break;
            }
            AuditEntry entry;
            try
            {
                entry = Parse(lines[i]);
            }
            catch (Exception ex) when (IsUnparseable(ex))
            {
                return new AuditVerification(false, count, i + 1, $"line {i + 1} is not a valid audit entry: {ex.Message}", previous);
            }
            if (entry.Sequence != count)
            {
                return new AuditVerification(false, count, i + 1, $"line {i + 1} has sequence {entry.Sequence}, expected {count} (a line was removed or inserted)", previous);
            }
            if (entry.Previous != previous)
            {
                return new AuditVerification(false, count, i + 1, $"line {i + 1} does not link to the line before it", previous);
            }
            var expected = HashOf(previous, Canonical(entry.Sequence, entry.At, entry.User, entry.Action, entry.Details, entry.Previous));
            if (entry.Hash != expected)
            {
                return new AuditVerification(false, count, i + 1, $"line {i + 1} was altered: its content does not match its hash", previous);
            }
            previous = entry.Hash;
            count++;
        }
        return new AuditVerification(true, count, null, null, previous);
    }

    private async Task LoadHeadAsync(CancellationToken cancellationToken)
    {
        if (_sequence >= 0 || !File.Exists(_path))
        {
            return;
        }
        var bytes = await File.ReadAllBytesAsync(_path, cancellationToken).ConfigureAwait(false);
        // The last non-empty line is bytes[lastStart..end); newlinesAfter newlines follow it.
        var end = bytes.Length;
        while (end > 0 && bytes[end - 1] == (byte)'\n')
        {
            end--;
        }
        if (end == 0)
        {
            if (bytes.Length > 0)
            {
                await CutTornTailAsync(bytes, 0, null, cancellationToken).ConfigureAwait(false); // newlines only: no entry
            }
            return;
        }
        var lastStart = Array.LastIndexOf(bytes, (byte)'\n', end - 1) + 1;
        var newlinesAfter = bytes.Length - end;
        if (newlinesAfter > 0)
        {
            AuditEntry? last = null;
            try
            {
                last = Parse(Encoding.UTF8.GetString(bytes, lastStart, end - lastStart));
            }
            catch (Exception ex) when (IsUnparseable(ex))
            {
            }
            if (last is not null)
            {
                _sequence = last.Sequence;
                _head = last.Hash;
                if (newlinesAfter > 1)
                {
                    // Blank lines after the last entry (no append writes them) would sit between it and the next one.
                    await CutTornTailAsync(bytes, end + 1, last, cancellationToken).ConfigureAwait(false);
                }
                return;
            }
            // An append writes its line and newline in one write. A power cut can commit the file's new size before
            // its data, which then reads back as zero bytes: that is a torn line even with its newline. An unreadable
            // whole line without them is damage or an edit, not a crash's doing, and is not cut: VerifyAsync names it.
            if (Array.IndexOf(bytes, (byte)0, lastStart, end - lastStart) < 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{_path}: the last line is not an audit entry, and not what an interrupted append leaves (it is whole and has no zero bytes). Keep a copy of the file for investigation; 'acq audit verify' names the line. No entry can be appended until the log is restored."));
            }
        }
        // The last line is torn. The entry before it (blank lines skipped) was acknowledged, so it must be whole; if it
        // is not, the damage is not a crash's and the log is left as it is.
        var keep = 0;
        AuditEntry? before = null;
        var beforeEnd = lastStart - 1; // the newline that ends the line before, or -1
        while (beforeEnd > 0 && bytes[beforeEnd - 1] == (byte)'\n')
        {
            beforeEnd--;
        }
        if (beforeEnd > 0)
        {
            var beforeStart = Array.LastIndexOf(bytes, (byte)'\n', beforeEnd - 1) + 1;
            try
            {
                before = Parse(Encoding.UTF8.GetString(bytes, beforeStart, beforeEnd - beforeStart));
            }
            catch (Exception ex) when (IsUnparseable(ex))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{_path}: the last two lines are not audit entries, which a crash cannot cause. Keep a copy of the file for investigation; 'acq audit verify' names the first bad line. No entry can be appended until the log is restored."), ex);
            }
            keep = beforeEnd + 1;
        }
        await CutTornTailAsync(bytes, keep, before, cancellationToken).ConfigureAwait(false);
    }

    private async Task CutTornTailAsync(byte[] bytes, int keep, AuditEntry? before, CancellationToken cancellationToken)
    {
        var torn = bytes.AsMemory(keep);
        var sha = Convert.ToHexStringLower(SHA256.HashData(torn.Span));
        var directory = Path.GetDirectoryName(_path)!;
        var tornDirectory = Path.Combine(directory, "torn");
        if (!Directory.Exists(tornDirectory))
        {
            Directory.CreateDirectory(tornDirectory);
            _fs.SyncDirectory(directory);
        }
        var afterSequence = before?.Sequence ?? -1;
        var name = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(_path)}.after-{afterSequence}.{sha[..16]}");
        var savedAs = Path.Combine(tornDirectory, name + ".bin");
        // A copy from an earlier recovery that was itself interrupted counts only if it is exactly these bytes.
        if (!File.Exists(savedAs) || !SHA256.HashData(await File.ReadAllBytesAsync(savedAs, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(Convert.FromHexString(sha)))
        {
            for (var n = 2; File.Exists(savedAs); n++)
            {
                savedAs = Path.Combine(tornDirectory, string.Create(CultureInfo.InvariantCulture, $"{name}-{n}.bin"));
            }
            var temp = savedAs + ".tmp";
            File.Delete(temp);
            using (var copy = _fs.CreateNew(temp))
            {
                await copy.WriteAsync(torn, cancellationToken).ConfigureAwait(false);
                await copy.FlushAsync(cancellationToken).ConfigureAwait(false);
                _fs.Sync(copy);
            }
            _fs.RenameNoReplace(temp, savedAs);
            _fs.SyncDirectory(tornDirectory);
        }
        // Only now, with the bytes safe elsewhere, is the log cut back to its last whole entry.
        using (var log = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.Read))
        {
            log.SetLength(keep);
            _fs.Sync(log);
        }
        _sequence = afterSequence;
        _head = before?.Hash ?? GenesisHash;
        _recovered = new AuditTornTail(afterSequence, torn.Length, sha, savedAs);
        var details = JsonSerializer.SerializeToElement(new
        {
            afterSequence,
            bytes = torn.Length,
            sha256 = sha,
            savedAs = Path.GetRelativePath(directory, savedAs),
        }, AuditJson.Options);
        await AppendLockedAsync("station", TornTailAction, details, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsUnparseable(Exception ex) =>
        ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException or ArgumentException;

    // The hashed content is a fixed-order JSON object, so the hash does not depend on serializer whims.
    private static string Canonical(long seq, DateTimeOffset at, string user, string action, JsonElement? details, string previous)
    {
        var obj = new JsonObject
        {
            ["seq"] = seq,
            ["at"] = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["user"] = user,
            ["action"] = action,
            ["details"] = details is { } d ? JsonNode.Parse(d.GetRawText()) : null,
            ["prev"] = previous,
        };
        return obj.ToJsonString(AuditJson.Options);
    }

    private static string Line(string canonical, string hash) =>
        canonical[..^1] + ",\"hash\":\"" + hash + "\"}";

    private static string HashOf(string previous, string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previous + "\n" + canonical)));

    private static AuditEntry Parse(string line)
    {
        var node = JsonNode.Parse(line) ?? throw new FormatException("empty line");
        var details = node["details"];
        return new AuditEntry(
            node["seq"]!.GetValue<long>(),
            DateTimeOffset.Parse(node["at"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            node["user"]!.GetValue<string>(),
            node["action"]!.GetValue<string>(),
            details is null ? null : JsonSerializer.Deserialize<JsonElement>(details.ToJsonString()),
            node["prev"]!.GetValue<string>(),
            node["hash"]!.GetValue<string>());
    }
}
