using System.Text;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Recipes;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Workflow.Tests;

/// <summary>Issue 6 §4: corrections of sealed captures, made by the workflow over real packages, keys and audit log.</summary>
public sealed class CaptureCorrectionsTests : IDisposable
{
    private const string Original = "01JD3Q4V6Z8KXW3N9M2T5R7B1C";
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly DataDirectory _data;
    private readonly AuditLog _audit;
    private readonly StationKeyStore _keys;
    private readonly CaptureCorrections _corrections;

    public CaptureCorrectionsTests()
    {
        _data = new DataDirectory(_dir.Path).EnsureCreated();
        _audit = new AuditLog(_data, _time);
        _keys = new StationKeyStore(_data, _time);
        _corrections = new CaptureCorrections(_data, new DurableFileWriter(_data), _audit, RecipeLoader.LoadDirectory(TestPaths.FirmwareConfig), _keys, "ST-01", _time);
    }

    public void Dispose() => _dir.Dispose();

    private async Task<SealedPackage> SealOriginalAsync(string status = "complete", string id = Original)
    {
        var builder = PackageBuilder.Begin(_data, id, "ST-01", new DurableFileWriter(_data), _time);
        await builder.AddFileAsync("regions/BreechFace/height.x3p", PackageMediaTypes.X3p, new byte[512], CancellationToken.None);
        using var key = await _keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        var capture = $$$"""{"captureId":"{{{id}}}","status":"{{{status}}}","case":{"agency":"TX2270000","caseNumber":"2026-0041","exhibit":"3","item":"A","calibre":"9mm Luger","operatorId":"op1","recoveryDate":null,"recoveryLocation":null}}""";
        return await builder.SealAsync(Encoding.UTF8.GetBytes(capture), key, CancellationToken.None);
    }

    private static Dictionary<string, string?> Fields(params (string, string?)[] f) => f.ToDictionary(x => x.Item1, x => x.Item2);

    [Fact]
    public async Task An_aborted_capture_can_be_corrected_and_values_take_the_case_rules_canonical_form()
    {
        var original = await SealOriginalAsync("aborted");
        _time.Advance(TimeSpan.FromMinutes(5));

        var made = await _corrections.CorrectAsync(Original, Fields(("agency", "tx2270001"), ("recoveryDate", "2026-11-02")), "wrong ORI", "alice", CancellationToken.None);

        Assert.Equal(1, made.Record.Sequence);
        Assert.Equal(original.ManifestSha256, made.Record.OriginalManifestSha256);
        // Upper-cased by CaseContextValidator, as PUT /case would store it.
        Assert.Equal(new FieldCorrection("agency", "TX2270000", "TX2270001"), made.Record.Changes[0]);
        Assert.Equal(new FieldCorrection("recoveryDate", null, "2026-11-02"), made.Record.Changes[1]);
        Assert.Equal(_time.GetUtcNow(), made.Record.CorrectedAt);
        Assert.True((await CorrectionVerifier.VerifyAsync(made.PackagePath, _data.Packages, _keys.TrustedKeyIds(), CancellationToken.None)).IsValid);
        var entry = Assert.Single(await _audit.ReadAllAsync(CancellationToken.None), e => e.Action == "capture.corrected");
        Assert.Equal("alice", entry.User);
    }

    [Fact]
    public async Task A_value_the_case_rules_refuse_is_refused_with_their_message_and_nothing_is_sealed()
    {
        await SealOriginalAsync();
        var tooLong = new string('9', CaseContextValidator.MaxFieldLength + 1);

        var ex = await Assert.ThrowsAsync<CaptureCorrectionException>(() => _corrections.CorrectAsync(Original, Fields(("caseNumber", tooLong)), "typo", "alice", CancellationToken.None));

        Assert.Equal(CaptureCorrectionFailure.Invalid, ex.Failure);
        Assert.Contains(ex.Problems, p => p.Contains($"at most {CaseContextValidator.MaxFieldLength}", StringComparison.Ordinal));
        Assert.Equal([Original], Directory.GetDirectories(_data.Packages).Select(d => Path.GetFileName(d)!).ToArray());
        Assert.DoesNotContain(await _audit.ReadAllAsync(CancellationToken.None), e => e.Action == "capture.corrected");
    }

    [Fact]
    public async Task An_original_that_no_longer_verifies_is_not_corrected()
    {
        var original = await SealOriginalAsync();
        var file = Path.Combine(original.Path, "regions", "BreechFace", "height.x3p");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllBytesAsync(file, new byte[512].Select((_, i) => (byte)i).ToArray());

        var ex = await Assert.ThrowsAsync<CaptureCorrectionException>(() => _corrections.CorrectAsync(Original, Fields(("item", "B")), "typo", "alice", CancellationToken.None));
        Assert.Equal(CaptureCorrectionFailure.OriginalDoesNotVerify, ex.Failure);
        Assert.Contains("height.x3p", ex.Message);
    }

    [Fact]
    public async Task A_correction_is_not_itself_corrected_and_an_unknown_capture_is_named()
    {
        await SealOriginalAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var made = await _corrections.CorrectAsync(Original, Fields(("item", "B")), "typo", "alice", CancellationToken.None);

        var ofCorrection = await Assert.ThrowsAsync<CaptureCorrectionException>(() => _corrections.CorrectAsync(made.Record.CorrectionId, Fields(("item", "C")), "typo", "alice", CancellationToken.None));
        Assert.Equal(CaptureCorrectionFailure.Invalid, ofCorrection.Failure);
        Assert.Contains($"correct the original capture {Original}", ofCorrection.Message);

        var unknown = await Assert.ThrowsAsync<CaptureCorrectionException>(() => _corrections.ListAsync("01JD3Q4V6Z8KXW3N9M2T5R7B9Z", CancellationToken.None));
        Assert.Equal(CaptureCorrectionFailure.UnknownCapture, unknown.Failure);
        Assert.Single(await _corrections.ListAsync(Original, CancellationToken.None));
    }
}
