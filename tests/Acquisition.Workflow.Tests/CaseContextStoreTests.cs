using Acquisition.Core.Domain;
using Acquisition.Core.Storage;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Recipes;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Workflow.Tests;

public sealed class CaseContextStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly DataDirectory _data;
    private readonly AuditLog _audit;
    private readonly CalibreTable _calibres = RecipeLoader.LoadDirectory(TestPaths.FirmwareConfig);

    public CaseContextStoreTests()
    {
        _data = new DataDirectory(_dir.Path).EnsureCreated();
        _audit = new AuditLog(_data, _time);
    }

    private CaseContextStore Store(CaseContext? preset = null) =>
        new(_data, new DurableFileWriter(_data), _audit, _calibres, new CaseContextOptions { Preset = preset });

    [Fact]
    public async Task A_set_case_is_validated_persisted_audited_and_survives_a_restart()
    {
        var stored = await Store().SetAsync(SequenceHarness.Case("9x19mm") with { Agency = "tx2270000" }, "tech01", CancellationToken.None);
        Assert.Equal("9mm Luger", stored.Calibre);
        Assert.Equal("TX2270000", stored.Agency);

        var reopened = Store();
        var current = await reopened.GetAsync(CancellationToken.None);
        Assert.Equal(stored, current);
        Assert.Equal("api", reopened.Source);
        Assert.Contains(await _audit.ReadAllAsync(CancellationToken.None), e => e.Action == "case.set");
    }

    [Fact]
    public async Task Each_change_is_a_new_file_and_the_newest_wins()
    {
        var store = Store();
        await store.SetAsync(SequenceHarness.Case(), "tech01", CancellationToken.None);
        await store.SetAsync(SequenceHarness.Case() with { Item = "2" }, "tech01", CancellationToken.None);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_data.Root, "case")).Length);
        Assert.Equal("2", (await Store().GetAsync(CancellationToken.None))!.Item);
    }

    [Fact]
    public async Task The_configured_preset_is_current_until_a_case_is_set()
    {
        var store = Store(SequenceHarness.Case());
        Assert.Equal("2026-0042", (await store.GetAsync(CancellationToken.None))!.CaseNumber);
        Assert.Equal("configuration", store.Source);
        Assert.Null(await Store().GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_invalid_case_names_every_bad_field()
    {
        var bad = SequenceHarness.Case(".50 BMG") with { CaseNumber = " ", Agency = "TX 227" };
        var ex = await Assert.ThrowsAsync<CaseValidationException>(() => Store().SetAsync(bad, "tech01", CancellationToken.None));
        Assert.Contains(ex.Problems, p => p.StartsWith("caseNumber is required", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("agency 'TX 227'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("Unknown calibre '.50 BMG'", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_data.Root, "case")));
    }

    [Fact]
    public void A_bad_preset_fails_at_start()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Store(SequenceHarness.Case("9mm Lugr")));
        Assert.Contains("Station:Case:Preset", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
