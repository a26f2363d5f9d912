using System.Globalization;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.Core.Storage;

namespace Acquisition.Workflow.Calibration;

/// <summary>
/// Dated, versioned calibration records with full history in <c>&lt;data&gt;/calibration/&lt;kind&gt;/&lt;id&gt;.json</c>.
/// Records are written once (durably, never overwritten) and every write is audited. A record expires at the earlier
/// of its own ValidUntil and its PerformedAt plus the configured validity of its kind.
/// </summary>
public sealed class CalibrationStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly DataDirectory _data;
    private readonly DurableFileWriter _writer;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly CalibrationOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public CalibrationStore(DataDirectory data, DurableFileWriter writer, AuditLog audit, TimeProvider time, CalibrationOptions options)
    {
        options.Validate();
        _data = data;
        _writer = writer;
        _audit = audit;
        _time = time;
        _options = options;
    }

    /// <summary>All records of a kind, oldest version first.</summary>
    public IReadOnlyList<CalibrationRecord> History(CalibrationKind kind)
    {
        var dir = DirectoryOf(kind);
        if (!Directory.Exists(dir))
        {
            return [];
        }
        var records = new List<CalibrationRecord>();
        foreach (var file in Directory.GetFiles(dir, "*.json"))
        {
            CalibrationRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<CalibrationRecord>(File.ReadAllBytes(file), Json);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Calibration file '{file}' is not a valid calibration record ({ex.Message}). Move it aside and re-run the calibration.", ex);
            }
            if (record is null || record.Kind != kind)
            {
                throw new InvalidDataException($"Calibration file '{file}' does not hold a {kind} record. Move it aside and re-run the calibration.");
            }
            records.Add(record);
        }
        return records.OrderBy(r => r.Version).ToList();
    }

    /// <summary>When a record stops being usable: its own limit or the configured validity, whichever is first.</summary>
    public DateTimeOffset ExpiresAt(CalibrationRecord record)
    {
        var configured = record.PerformedAt + _options.ValidityOf(record.Kind);
        return configured < record.ValidUntil ? configured : record.ValidUntil;
    }

    /// <summary>The newest record of <paramref name="kind"/> that is still valid at <paramref name="at"/>, or null.</summary>
    public CalibrationRecord? LatestValid(CalibrationKind kind, DateTimeOffset at) =>
        History(kind).Where(r => ExpiresAt(r) > at && r.PerformedAt <= at).OrderByDescending(r => r.Version).FirstOrDefault();

    /// <summary>Checks every required kind at <paramref name="at"/>.</summary>
    public CalibrationCheck Check(IEnumerable<CalibrationKind> required, DateTimeOffset at)
    {
        var used = new List<CalibrationRecord>();
        var missing = new List<CalibrationKind>();
        var expired = new List<(CalibrationRecord, DateTimeOffset)>();
        foreach (var kind in required.Distinct())
        {
            var valid = LatestValid(kind, at);
            if (valid is not null)
            {
                used.Add(valid);
                continue;
            }
            var newest = History(kind).LastOrDefault();
            if (newest is null)
            {
                missing.Add(kind);
            }
            else
            {
                used.Add(newest);
                expired.Add((newest, ExpiresAt(newest)));
            }
        }
        return new CalibrationCheck(used, missing, expired);
    }

    /// <summary>Records a new calibration as the next version of its kind, valid for the configured time.</summary>
    public async Task<CalibrationRecord> RecordAsync(
        CalibrationKind kind,
        JsonElement values,
        string performedBy,
        JsonElement? residuals,
        JsonElement? instrumentState,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(performedBy);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var version = (History(kind).LastOrDefault()?.Version ?? 0) + 1;
            var now = _time.GetUtcNow();
            var record = new CalibrationRecord
            {
                Id = string.Create(CultureInfo.InvariantCulture, $"{ControlApiJson.WireName(kind)}-v{version}"),
                Kind = kind,
                Version = version,
                PerformedAt = now,
                ValidUntil = now + _options.ValidityOf(kind),
                PerformedBy = performedBy,
                Values = values,
                Residuals = residuals,
                InstrumentState = instrumentState,
            };
            var path = Path.Combine(DirectoryOf(kind), record.Id + ".json");
            var bytes = JsonSerializer.SerializeToUtf8Bytes(record, Json);
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            // Audited before the record exists: the file takes effect as soon as it is there, so a crash between the
            // two must leave an entry without a record (visible), never a record in force that no entry explains.
            await _audit.AppendAsync(performedBy, "calibration.recorded",
                new { record.Id, Kind = kind.ToString(), record.Version, record.ValidUntil, sha256 = sha }, cancellationToken).ConfigureAwait(false);
            await _writer.WriteAsync(path, bytes, CancellationToken.None).ConfigureAwait(false);
            return record;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Seeds valid records for the simulator profile (pixel size, rotation, identity flat field, z scale) where no valid
    /// record of that kind exists, so the demo runs without a calibration step. Real stations never call this.
    /// </summary>
    public async Task<IReadOnlyList<CalibrationRecord>> SeedSimulatorProfileAsync(
        SimulatorCalibrationProfile profile, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var seeded = new List<CalibrationRecord>();
        var values = new Dictionary<CalibrationKind, object>
        {
            [CalibrationKind.PixelSize] = new
            {
                pixelSizeXMicrometres = profile.PixelSizeMicrometres,
                pixelSizeYMicrometres = profile.PixelSizeMicrometres,
                rotationDegrees = profile.RotationDegrees,
                magnificationChangePerMicrometre = profile.MagnificationChangePerMicrometre,
            },
            [CalibrationKind.FlatField] = new { identity = true, lightings = Array.Empty<string>() },
            [CalibrationKind.ZScale] = new { micrometresPerCommandedMicrometre = 1.0 },
        };
        foreach (var (kind, v) in values)
        {
            if (LatestValid(kind, now) is not null)
            {
                continue;
            }
            seeded.Add(await RecordAsync(kind, JsonSerializer.SerializeToElement(v, Json), "simulator-profile",
                null, JsonSerializer.SerializeToElement(new { source = "simulator profile seed" }, Json), cancellationToken).ConfigureAwait(false));
        }
        return seeded;
    }

    /// <summary>Where the files a record of <paramref name="kind"/> names (gain maps) are kept.</summary>
    public string FilesDirectory(CalibrationKind kind) => Path.Combine(DirectoryOf(kind), "files");

    private string DirectoryOf(CalibrationKind kind) => Path.Combine(_data.Calibration, ControlApiJson.WireName(kind));
}
