using System.Text.Json;
using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>
/// The operator accounts the technician page accepts. The file is read when needed (so an administrator's edit takes
/// effect without a restart); the simulator and fake profiles seed demo accounts into a missing file.
/// </summary>
public sealed class OperatorDirectory
{
    /// <summary>Demo accounts of the simulator profile: id → PIN. Documented in docs/technician-page.md.</summary>
    public static readonly IReadOnlyList<(string Id, string Name, string Pin)> DemoOperators =
    [
        ("tech1", "Demo Technician One", "1234"),
        ("tech2", "Demo Technician Two", "5678"),
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly WebOptions _options;
    private readonly StationOptions _station;
    private readonly DurableFileWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public OperatorDirectory(IOptions<WebOptions> options, IOptions<StationOptions> station, DurableFileWriter writer)
    {
        _options = options.Value;
        _station = station.Value;
        _writer = writer;
    }

    public string FilePath => Path.IsPathFullyQualified(_options.OperatorsFile)
        ? _options.OperatorsFile
        : Path.Combine(_station.DataDirectory, _options.OperatorsFile);

    /// <summary>Writes the demo accounts when the file is missing and the profile allows it.</summary>
    public async Task SeedIfAllowedAsync(CancellationToken cancellationToken)
    {
        var allowed = _options.SeedDemoOperators || _station.Hardware is HardwareProfile.Sim or HardwareProfile.Fake;
        if (!allowed || File.Exists(FilePath))
        {
            return;
        }
        var accounts = DemoOperators.Select(d => new OperatorAccount(d.Id, d.Name, PinHasher.Hash(d.Pin))).ToList();
        await _writer.WriteAsync(FilePath, JsonSerializer.SerializeToUtf8Bytes(accounts, Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The account when id and PIN match an enabled account; null otherwise (the caller does not learn which).</summary>
    public async Task<OperatorAccount?> VerifyAsync(string id, string pin, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrEmpty(pin))
        {
            return null;
        }
        var accounts = await LoadAsync(cancellationToken).ConfigureAwait(false);
        var account = accounts.FirstOrDefault(a => string.Equals(a.Id, id.Trim(), StringComparison.OrdinalIgnoreCase));
        // Hash even for unknown ids so that timing does not reveal which ids exist.
        var ok = PinHasher.Verify(pin, account?.PinHash ?? DummyHash.Value);
        return account is { Disabled: false } && ok ? account : null;
    }

    public async Task<IReadOnlyList<OperatorAccount>> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(FilePath))
            {
                return [];
            }
            var bytes = await File.ReadAllBytesAsync(FilePath, cancellationToken).ConfigureAwait(false);
            try
            {
                return JsonSerializer.Deserialize<List<OperatorAccount>>(bytes, Json) ?? [];
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The operators file '{FilePath}' is not a JSON list of {{id, name, pinHash}}: {ex.Message}", ex);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static readonly Lazy<string> DummyHash = new(() => PinHasher.Hash("not-a-pin"));
}
