using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Storage;
using Acquisition.Workflow.Calibration;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Workflow.Tests;

public sealed class CalibrationStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DataDirectory _data;
    private readonly AuditLog _audit;
    private readonly CalibrationStore _store;

    public CalibrationStoreTests()
    {
        _data = new DataDirectory(_dir.Path).EnsureCreated();
        _audit = new AuditLog(_data, _time);
        _store = new CalibrationStore(_data, new DurableFileWriter(_data), _audit, _time, new CalibrationOptions());
    }

    private static JsonElement Pixel(double size) =>
        JsonSerializer.SerializeToElement(new { pixelSizeXMicrometres = size, pixelSizeYMicrometres = size, rotationDegrees = 0.5 });

    [Fact]
    public async Task Records_are_versioned_kept_as_history_and_audited()
    {
        var v1 = await _store.RecordAsync(CalibrationKind.PixelSize, Pixel(2.5), "svc", null, null, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(1));
        var v2 = await _store.RecordAsync(CalibrationKind.PixelSize, Pixel(2.49), "svc", null, null, CancellationToken.None);

        Assert.Equal("pixel-size-v1", v1.Id);
        Assert.Equal("pixel-size-v2", v2.Id);
        Assert.Equal([1, 2], _store.History(CalibrationKind.PixelSize).Select(r => r.Version));
        Assert.True(File.Exists(Path.Combine(_data.Calibration, "pixel-size", "pixel-size-v1.json")));
        Assert.Equal(v2.Id, _store.LatestValid(CalibrationKind.PixelSize, _time.GetUtcNow())!.Id);
        Assert.Equal(2.49, PixelCalibration.FromRecord(v2).PixelSizeX.Value, 6);
        var audit = await _audit.ReadAllAsync(CancellationToken.None);
        Assert.Equal(2, audit.Count(e => e.Action == "calibration.recorded"));
    }

    [Fact]
    public async Task A_record_is_audited_before_it_exists_so_an_audit_failure_leaves_no_unaudited_calibration()
    {
        var v1 = await _store.RecordAsync(CalibrationKind.PixelSize, Pixel(2.5), "svc", null, null, CancellationToken.None);
        var entry = Assert.Single(await _audit.ReadAllAsync(CancellationToken.None), e => e.Action == "calibration.recorded");
        var file = Path.Combine(_data.Calibration, "pixel-size", "pixel-size-v1.json");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(file))),
            entry.Details!.Value.GetProperty("sha256").GetString());

        // The audit log stops taking entries (as on a full disk): the calibration is refused, not recorded unaudited.
        var log = Path.Combine(_data.Audit, "audit.jsonl");
        File.Move(log, log + ".aside");
        Directory.CreateDirectory(log);
        await Assert.ThrowsAnyAsync<Exception>(() => _store.RecordAsync(CalibrationKind.PixelSize, Pixel(2.4), "svc", null, null, CancellationToken.None));
        Assert.Equal([v1.Id], _store.History(CalibrationKind.PixelSize).Select(r => r.Id));
        Assert.False(File.Exists(Path.Combine(_data.Calibration, "pixel-size", "pixel-size-v2.json")));
    }

    [Fact]
    public async Task A_record_expires_after_the_configured_validity_and_the_check_names_it()
    {
        await _store.RecordAsync(CalibrationKind.FlatField, JsonSerializer.SerializeToElement(new { identity = true }), "svc", null, null, CancellationToken.None);
        Assert.True(_store.Check([CalibrationKind.FlatField], _time.GetUtcNow()).AllValid);

        _time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        var check = _store.Check([CalibrationKind.FlatField, CalibrationKind.PixelSize], _time.GetUtcNow());
        Assert.False(check.AllValid);
        Assert.Equal(CalibrationKind.PixelSize, Assert.Single(check.Missing));
        Assert.Equal("flat-field-v1", Assert.Single(check.Expired).Record.Id);
        Assert.Contains("FlatField calibration 'flat-field-v1' expired at 2026-01-31 00:00Z", check.Describe(), StringComparison.Ordinal);
        Assert.Null(_store.LatestValid(CalibrationKind.FlatField, _time.GetUtcNow()));
    }

    [Fact]
    public async Task A_shorter_configured_validity_expires_an_older_record_early()
    {
        await _store.RecordAsync(CalibrationKind.PixelSize, Pixel(2.5), "svc", null, null, CancellationToken.None);
        var strict = new CalibrationStore(_data, new DurableFileWriter(_data), _audit, _time,
            new CalibrationOptions { Validity = new() { [CalibrationKind.PixelSize] = TimeSpan.FromDays(7) } });
        _time.Advance(TimeSpan.FromDays(8));
        Assert.Null(strict.LatestValid(CalibrationKind.PixelSize, _time.GetUtcNow()));
        Assert.NotNull(_store.LatestValid(CalibrationKind.PixelSize, _time.GetUtcNow()));
    }

    [Fact]
    public async Task Seeding_the_simulator_profile_writes_only_what_is_missing()
    {
        var seeded = await _store.SeedSimulatorProfileAsync(new SimulatorCalibrationProfile(2.5), CancellationToken.None);
        Assert.Equal(3, seeded.Count);
        Assert.Empty(await _store.SeedSimulatorProfileAsync(new SimulatorCalibrationProfile(2.5), CancellationToken.None));
        Assert.True(_store.Check([CalibrationKind.PixelSize, CalibrationKind.FlatField, CalibrationKind.ZScale], _time.GetUtcNow()).AllValid);
        Assert.Equal("simulator-profile", _store.History(CalibrationKind.PixelSize)[0].PerformedBy);
    }

    [Fact]
    public void A_corrupt_record_file_is_reported_with_its_path()
    {
        var dir = Path.Combine(_data.Calibration, "pixel-size");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "pixel-size-v1.json"), "{ not json");
        var ex = Assert.Throws<InvalidDataException>(() => _store.History(CalibrationKind.PixelSize));
        Assert.Contains("pixel-size-v1.json", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
