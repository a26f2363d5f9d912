using System.Text;

namespace Acquisition.Packaging.Tests;

/// <summary>Issue 6 §4: corrections after sealing are new signed supplements that reference the original; the original is never edited.</summary>
public sealed class CorrectionTests : IDisposable
{
    private readonly TestData _t = new();

    public void Dispose() => _t.Dispose();

    private static CorrectionRecord Record(string correctionId, SealedPackage original, string? reason = "case number mistyped at the bench", params FieldCorrection[] changes) =>
        new(correctionId, original.CaptureId, original.ManifestSha256, 1,
            changes.Length > 0 ? changes : [new FieldCorrection(CorrectableCaseFields.CaseNumber, "2026-001", "2026-010")],
            reason!, "alice", new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    private async Task<SealedPackage> SealCorrectionAsync(SealedPackage original, Func<string, CorrectionRecord>? record = null)
    {
        var id = TestData.NewCaptureId();
        var b = PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System, supplementOf: original.CaptureId);
        using var key = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        return await b.SealCorrectionAsync(record?.Invoke(id) ?? Record(id, original), key, CancellationToken.None);
    }

    [Fact]
    public async Task A_correction_is_its_own_signed_package_that_verifies_against_its_untouched_original()
    {
        var original = await _t.SealSampleAsync();
        var before = Directory.GetFiles(original.Path, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

        var supplement = await SealCorrectionAsync(original);

        var manifest = PackageManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(supplement.Path, "manifest.json")));
        Assert.Equal(original.CaptureId, manifest.SupplementOf);
        Assert.Equal(["correction.json", "signer.json"], manifest.Files.Select(f => f.Path).ToArray());
        Assert.False(File.Exists(Path.Combine(supplement.Path, "capture.json")));
        var record = CorrectionRecord.Parse(await File.ReadAllBytesAsync(Path.Combine(supplement.Path, "correction.json")));
        Assert.Equal(original.ManifestSha256, record.OriginalManifestSha256);
        Assert.Equal("2026-010", record.Changes.Single().NewValue);
        Assert.Equal("2026-11-23T12:00:00.000Z", System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(supplement.Path, "correction.json"))).RootElement.GetProperty("correctedAt").GetString());

        var result = await CorrectionVerifier.VerifyAsync(supplement.Path, _t.Data.Packages, _t.Keys.TrustedKeyIds(), CancellationToken.None);
        Assert.True(result.IsValid, result.ToString());
        // The original is byte for byte what it was.
        Assert.All(before, kv => Assert.Equal(kv.Value, File.ReadAllBytes(kv.Key)));
        Assert.Equal(before.Count, Directory.GetFiles(original.Path, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task A_changed_byte_in_correction_json_is_detected()
    {
        var original = await _t.SealSampleAsync();
        var supplement = await SealCorrectionAsync(original);
        var path = Path.Combine(supplement.Path, "correction.json");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("2026-010", "2026-011", StringComparison.Ordinal));

        var result = await CorrectionVerifier.VerifyAsync(supplement.Path, _t.Data.Packages, null, CancellationToken.None);
        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.StartsWith("correction.json has SHA-256", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_correction_naming_another_manifest_hash_is_refused_as_not_correcting_this_package()
    {
        var original = await _t.SealSampleAsync();
        var supplement = await SealCorrectionAsync(original, id => Record(id, original) with { OriginalManifestSha256 = new string('a', 64) });

        var result = await CorrectionVerifier.VerifyAsync(supplement.Path, _t.Data.Packages, null, CancellationToken.None);
        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Contains("does not correct this package", StringComparison.Ordinal) && p.Contains(original.ManifestSha256, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_original_edited_after_the_correction_no_longer_matches()
    {
        var original = await _t.SealSampleAsync();
        var supplement = await SealCorrectionAsync(original);
        var manifestPath = Path.Combine(original.Path, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, (await File.ReadAllTextAsync(manifestPath)).Replace("ST-01", "ST-02", StringComparison.Ordinal));

        var result = await CorrectionVerifier.VerifyAsync(supplement.Path, _t.Data.Packages, null, CancellationToken.None);
        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Contains("does not correct this package", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.StartsWith($"original {original.CaptureId}: manifest.sig does not verify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_original_is_named()
    {
        var original = await _t.SealSampleAsync();
        var supplement = await SealCorrectionAsync(original);
        var elsewhere = Path.Combine(_t.Root, "other-packages");
        Directory.CreateDirectory(elsewhere);

        var result = await CorrectionVerifier.VerifyAsync(supplement.Path, elsewhere, null, CancellationToken.None);
        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Contains($"original package {original.CaptureId} is not at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_reason_a_measurement_field_or_an_unchanged_value_is_refused_before_anything_is_sealed()
    {
        var original = await _t.SealSampleAsync();
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => SealCorrectionAsync(original, id => Record(id, original, reason: "  ")));
        Assert.Contains("reason is empty", empty.Message);
        var measured = await Assert.ThrowsAsync<ArgumentException>(() => SealCorrectionAsync(original, id => Record(id, original, "typo", new FieldCorrection("regions", null, "x"))));
        Assert.Contains("'regions' cannot be corrected", measured.Message);
        var calibre = await Assert.ThrowsAsync<ArgumentException>(() => SealCorrectionAsync(original, id => Record(id, original, "typo", new FieldCorrection("calibre", "9mm Luger", ".380 Auto"))));
        Assert.Contains("'calibre' cannot be corrected", calibre.Message);
        var same = await Assert.ThrowsAsync<ArgumentException>(() => SealCorrectionAsync(original, id => Record(id, original, "typo", new FieldCorrection("item", "A", "A"))));
        Assert.Contains("nothing to correct", same.Message);
        var cleared = await Assert.ThrowsAsync<ArgumentException>(() => SealCorrectionAsync(original, id => Record(id, original, "typo", new FieldCorrection("exhibit", "1", null))));
        Assert.Contains("cannot be cleared", cleared.Message);
        // Nothing reached packages/ but the original.
        Assert.Equal([original.CaptureId], Directory.GetDirectories(_t.Data.Packages).Select(d => Path.GetFileName(d)!).ToArray());
    }

    [Fact]
    public async Task A_capture_package_that_smuggles_a_correction_json_does_not_verify()
    {
        var id = TestData.NewCaptureId();
        var b = PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => b.AddFileAsync("correction.json", PackageMediaTypes.Json, Encoding.UTF8.GetBytes("{}"), CancellationToken.None));
        Assert.Contains("SealAsync", ex.Message);
    }

    [Fact]
    public async Task Correction_json_round_trips_and_a_bad_schema_is_named()
    {
        var original = await _t.SealSampleAsync();
        var r = Record(TestData.NewCaptureId(), original, "why", new FieldCorrection("recoveryLocation", null, "Main St"));
        var back = CorrectionRecord.Parse(r.ToUtf8Bytes());
        Assert.Equal(r.Changes, back.Changes);
        Assert.Equal(r with { Changes = back.Changes }, back);
        var bad = Encoding.UTF8.GetString(r.ToUtf8Bytes()).Replace("acquisition.correction/v1", "other/v9", StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => CorrectionRecord.Parse(Encoding.UTF8.GetBytes(bad)));
        Assert.Contains("schema 'other/v9'", ex.Message);
    }
}
