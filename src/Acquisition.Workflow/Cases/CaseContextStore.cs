using System.Globalization;
using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Storage;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Cases;

/// <summary>
/// The current case. Each change is validated, written as a new numbered file in <c>&lt;data&gt;/case/</c> (durably,
/// never overwriting, so the history of what was set is kept) and audited. Until a case is set, the configured preset
/// is current.
/// </summary>
public sealed class CaseContextStore
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly string _directory;
    private readonly DurableFileWriter _writer;
    private readonly AuditLog _audit;
    private readonly CalibreTable _calibres;
    private readonly CaseContextOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CaseContext? _current;
    private int _sequence;
    private bool _loaded;

    public CaseContextStore(DataDirectory data, DurableFileWriter writer, AuditLog audit, CalibreTable calibres, CaseContextOptions options)
    {
        _directory = Path.Combine(data.Root, "case");
        _writer = writer;
        _audit = audit;
        _calibres = calibres;
        _options = options;
        if (options.Preset is not null)
        {
            // A bad preset is a configuration error: fail at start with the reason, not at the first capture.
            try
            {
                CaseContextValidator.Validate(options.Preset, calibres);
            }
            catch (CaseValidationException ex)
            {
                throw new InvalidOperationException("Station:Case:Preset is not valid: " + ex.Message, ex);
            }
        }
    }

    /// <summary>Where the current case came from: "api" (persisted), "configuration" (preset) or "none".</summary>
    public string Source { get; private set; } = "none";

    /// <summary>The current case, or null when none is set and none is preset.</summary>
    public async Task<CaseContext?> GetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Load();
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Validates, persists and audits a new current case; returns it as stored (canonical calibre).</summary>
    public async Task<CaseContext> SetAsync(CaseContext context, string user, CancellationToken cancellationToken)
    {
        var valid = CaseContextValidator.Validate(context, _calibres);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Load();
            var next = _sequence + 1;
            var path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"case-{next:D6}.json"));
            var bytes = JsonSerializer.SerializeToUtf8Bytes(valid, Json);
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            // Audited before the file that makes it current exists (see CalibrationStore.RecordAsync).
            await _audit.AppendAsync(user, "case.set", new { sequence = next, valid.Agency, valid.CaseNumber, valid.Exhibit, valid.Item, valid.Calibre, valid.OperatorId, sha256 = sha },
                cancellationToken).ConfigureAwait(false);
            await _writer.WriteAsync(path, bytes, CancellationToken.None).ConfigureAwait(false);
            _sequence = next;
            _current = valid;
            Source = "api";
            return valid;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Load()
    {
        if (_loaded)
        {
            return;
        }
        _loaded = true;
        var newest = Directory.Exists(_directory)
            ? Directory.GetFiles(_directory, "case-*.json").Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        if (newest is not null)
        {
            _sequence = int.Parse(Path.GetFileNameWithoutExtension(newest)["case-".Length..], NumberStyles.None, CultureInfo.InvariantCulture);
            try
            {
                _current = JsonSerializer.Deserialize<CaseContext>(File.ReadAllBytes(newest), Json);
                Source = "api";
                return;
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The stored case '{newest}' is unreadable ({ex.Message}); set the case again through PUT /case.", ex);
            }
        }
        if (_options.Preset is not null)
        {
            _current = CaseContextValidator.Validate(_options.Preset, _calibres);
            Source = "configuration";
        }
    }
}
