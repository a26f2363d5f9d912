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
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var result = new List<AuditEntry>();
        if (!File.Exists(_path))
        {
            return result;
        }
        foreach (var line in await File.ReadAllLinesAsync(_path, cancellationToken).ConfigureAwait(false))
        {
            if (line.Length > 0)
            {
                result.Add(Parse(line));
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
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
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
        string? last = null;
        foreach (var line in await File.ReadAllLinesAsync(_path, cancellationToken).ConfigureAwait(false))
        {
            if (line.Length > 0)
            {
                last = line;
            }
        }
        if (last is not null)
        {
            var entry = Parse(last);
            _sequence = entry.Sequence;
            _head = entry.Hash;
        }
    }

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
