using System.Security.Cryptography;
using System.Text;

namespace Acquisition.Packaging.Tests;

public sealed class PackageVerifierTests : IDisposable
{
    private readonly TestData _t = new();

    public void Dispose() => _t.Dispose();

    private static string FileIn(SealedPackage p, string rel) => Path.Combine(p.Path, rel.Replace('/', Path.DirectorySeparatorChar));

    private static async Task<PackageVerification> Verify(SealedPackage p, IReadOnlyCollection<string>? trusted = null) =>
        await PackageVerifier.VerifyAsync(p.Path, trusted, CancellationToken.None);

    [Fact]
    public async Task A_changed_byte_is_detected_and_named()
    {
        var p = await _t.SealSampleAsync();
        var path = FileIn(p, "regions/BreechFace/height.x3p");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[1234] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var r = await Verify(p);
        Assert.False(r.IsValid);
        var problem = Assert.Single(r.Problems);
        Assert.Contains("regions/BreechFace/height.x3p", problem);
        Assert.Contains("SHA-256", problem);
    }

    [Fact]
    public async Task A_missing_file_is_detected_and_named()
    {
        var p = await _t.SealSampleAsync();
        File.Delete(FileIn(p, "regions/BreechFace/fused-ring-0.png"));
        var r = await Verify(p);
        Assert.False(r.IsValid);
        Assert.Contains(r.Problems, x => x.Contains("regions/BreechFace/fused-ring-0.png") && x.Contains("missing"));
    }

    [Fact]
    public async Task An_extra_file_is_detected_and_named()
    {
        var p = await _t.SealSampleAsync();
        await File.WriteAllTextAsync(FileIn(p, "regions/extra.txt"), "smuggled");
        var r = await Verify(p);
        Assert.False(r.IsValid);
        Assert.Contains(r.Problems, x => x.Contains("regions/extra.txt") && x.Contains("not listed"));
    }

    [Fact]
    public async Task A_truncated_file_is_detected_by_size()
    {
        var p = await _t.SealSampleAsync();
        var path = FileIn(p, "regions/BreechFace/fused-ring-0.png");
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^10]);
        var r = await Verify(p);
        Assert.Contains(r.Problems, x => x.Contains("fused-ring-0.png") && x.Contains("bytes"));
    }

    [Fact]
    public async Task An_edited_manifest_breaks_the_signature()
    {
        var p = await _t.SealSampleAsync();
        var path = FileIn(p, "manifest.json");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("\"ST-01\"", "\"ST-02\""));
        var r = await Verify(p);
        Assert.False(r.IsValid);
        Assert.Contains(r.Problems, x => x.Contains("manifest.sig") && x.Contains("does not verify"));
    }

    [Fact]
    public async Task A_manifest_edited_to_match_a_changed_file_still_fails_on_the_signature()
    {
        var p = await _t.SealSampleAsync();
        var path = FileIn(p, "regions/BreechFace/fused-ring-0.png");
        var oldSha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)));
        var replaced = new byte[10_000];
        await File.WriteAllBytesAsync(path, replaced);
        var newSha = Convert.ToHexStringLower(SHA256.HashData(replaced));
        var manifestPath = FileIn(p, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, (await File.ReadAllTextAsync(manifestPath)).Replace(oldSha, newSha));

        var r = await Verify(p);
        var problem = Assert.Single(r.Problems);
        Assert.Contains("does not verify", problem);
    }

    [Fact]
    public async Task A_bad_signature_is_detected()
    {
        var p = await _t.SealSampleAsync();
        var sig = await File.ReadAllBytesAsync(FileIn(p, "manifest.sig"));
        sig[^3] ^= 0x40;
        await File.WriteAllBytesAsync(FileIn(p, "manifest.sig"), sig);
        var r = await Verify(p);
        Assert.Contains(r.Problems, x => x.Contains("manifest.sig"));
    }

    [Fact]
    public async Task A_missing_signature_is_detected()
    {
        var p = await _t.SealSampleAsync();
        File.Delete(FileIn(p, "manifest.sig"));
        var r = await Verify(p);
        Assert.Contains(r.Problems, x => x.Contains("manifest.sig is missing"));
    }

    [Fact]
    public async Task A_package_resigned_by_another_key_is_untrusted()
    {
        var p = await _t.SealSampleAsync();
        var trusted = _t.Keys.TrustedKeyIds();
        using var rogue = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = $$"""{"keyId":"{{KeyIds.Of(rogue)}}","publicKeyPem":{{System.Text.Json.JsonSerializer.Serialize(rogue.ExportSubjectPublicKeyInfoPem())}}}""";
        // signer.json is listed in the manifest, so a forger must rewrite the manifest too; do it all consistently.
        var signerBytes = Encoding.UTF8.GetBytes(signer);
        var oldSha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(FileIn(p, "signer.json"))));
        var oldSize = new FileInfo(FileIn(p, "signer.json")).Length;
        await File.WriteAllBytesAsync(FileIn(p, "signer.json"), signerBytes);
        var manifestText = (await File.ReadAllTextAsync(FileIn(p, "manifest.json")))
            .Replace(oldSha, Convert.ToHexStringLower(SHA256.HashData(signerBytes)))
            .Replace($"\"size\": {oldSize},\n      \"sha256\": \"{Convert.ToHexStringLower(SHA256.HashData(signerBytes))}", $"\"size\": {signerBytes.Length},\n      \"sha256\": \"{Convert.ToHexStringLower(SHA256.HashData(signerBytes))}");
        var manifest = Encoding.UTF8.GetBytes(manifestText);
        await File.WriteAllBytesAsync(FileIn(p, "manifest.json"), manifest);
        await File.WriteAllBytesAsync(FileIn(p, "manifest.sig"), rogue.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        var selfConsistent = await Verify(p);
        Assert.True(selfConsistent.IsValid, selfConsistent.ToString());
        var r = await Verify(p, trusted);
        var problem = Assert.Single(r.Problems);
        Assert.Contains("not among the trusted", problem);
    }

    [Fact]
    public async Task Signer_json_whose_key_id_lies_is_detected()
    {
        var p = await _t.SealSampleAsync();
        var path = FileIn(p, "signer.json");
        var text = await File.ReadAllTextAsync(path);
        var keyId = _t.Keys.CurrentKeyId();
        await File.WriteAllTextAsync(path, text.Replace(keyId, "sha256:" + new string('0', 64)));
        var r = await Verify(p);
        Assert.Contains(r.Problems, x => x.Contains("signer.json names key"));
    }

    [Fact]
    public async Task Missing_manifest_is_named()
    {
        var p = await _t.SealSampleAsync();
        File.Delete(FileIn(p, "manifest.json"));
        var r = await Verify(p);
        Assert.Equal("manifest.json is missing", Assert.Single(r.Problems));
    }
}
