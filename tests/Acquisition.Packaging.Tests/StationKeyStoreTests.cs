using System.Security.Cryptography;

namespace Acquisition.Packaging.Tests;

public sealed class StationKeyStoreTests : IDisposable
{
    private readonly TestData _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task First_use_creates_a_p256_key_readable_only_by_the_owner()
    {
        Assert.False(_t.Keys.HasKey);
        using var key = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        Assert.Equal(256, key.KeySize);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_t.Keys.PrivateKeyPath));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", _t.Keys.ExportPublicKeyPem());
    }

    [Fact]
    public async Task The_key_is_stable_across_store_instances()
    {
        using var a = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        var other = new StationKeyStore(_t.Data, TimeProvider.System);
        using var b = await other.GetOrCreateSigningKeyAsync(CancellationToken.None);
        Assert.Equal(KeyIds.Of(a), KeyIds.Of(b));
        Assert.Equal(KeyIds.OfPem(await File.ReadAllTextAsync(other.PublicKeyPath)), KeyIds.Of(a));
    }

    [Fact]
    public async Task Key_id_is_the_sha256_of_the_spki_der()
    {
        using var key = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), _t.Keys.CurrentKeyId());
    }

    [Fact]
    public async Task Rotation_keeps_the_old_public_key_so_old_packages_still_verify()
    {
        var old = await _t.SealSampleAsync();
        var oldId = _t.Keys.CurrentKeyId();
        var newId = await _t.Keys.RotateAsync(CancellationToken.None);

        Assert.NotEqual(oldId, newId);
        Assert.Equal(newId, _t.Keys.CurrentKeyId());
        var trusted = _t.Keys.TrustedPublicKeys();
        Assert.Equal(2, trusted.Count);
        Assert.Contains(trusted, k => k.KeyId == oldId && !k.IsCurrent);
        Assert.Contains(trusted, k => k.KeyId == newId && k.IsCurrent);
        Assert.Single(Directory.GetFiles(_t.Keys.HistoryDirectory, "*.pub.pem"));
        Assert.True((await PackageVerifier.VerifyAsync(old.Path, _t.Keys.TrustedKeyIds(), CancellationToken.None)).IsValid);

        var fresh = await _t.SealSampleAsync();
        var manifestSigner = await File.ReadAllTextAsync(Path.Combine(fresh.Path, "signer.json"));
        Assert.Contains(newId, manifestSigner);
    }

    [Fact]
    public async Task A_group_readable_private_key_is_refused_with_the_fix()
    {
        using (await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None))
        {
        }
        File.SetUnixFileMode(_t.Keys.PrivateKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None));
        Assert.Contains("chmod 600", ex.Message);
    }

    [Fact]
    public void Export_without_a_key_says_how_to_make_one()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => _t.Keys.ExportPublicKeyPem());
        Assert.Contains("acq enrol", ex.Message);
    }
}
