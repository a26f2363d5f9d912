using System.Diagnostics;
using System.Text.Json;
using Acquisition.Core.Storage;

namespace Acquisition.Packaging.Tests;

public sealed class PackageBuilderTests : IDisposable
{
    private readonly TestData _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task Seal_moves_a_verifiable_package_into_packages_and_removes_staging()
    {
        var sealedPackage = await _t.SealSampleAsync();

        Assert.Equal(Path.Combine(_t.Data.Packages, sealedPackage.CaptureId), sealedPackage.Path);
        Assert.False(Directory.Exists(Path.Combine(_t.Data.Tmp, sealedPackage.CaptureId + ".staging")));
        var result = await PackageVerifier.VerifyAsync(sealedPackage.Path, _t.Keys.TrustedKeyIds(), CancellationToken.None);
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public async Task A_directory_sync_that_fails_after_the_rename_does_not_report_a_sealed_package_as_failed()
    {
        var fs = new FailingDirectorySync(_t.Data.Packages);
        var captureId = TestData.NewCaptureId();
        var builder = PackageBuilder.Begin(_t.Data, captureId, "ST-01", new DurableFileWriter(_t.Data, fs), TimeProvider.System, null);
        await builder.AddFileAsync("regions/BreechFace/fused-ring-0.png", PackageMediaTypes.Png, new byte[] { 1, 2, 3 }, CancellationToken.None);
        using var key = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);

        var sealedPackage = await builder.SealAsync(TestData.CaptureJson(captureId), key, CancellationToken.None);

        Assert.True(Directory.Exists(sealedPackage.Path));
        Assert.Equal(1, fs.PackagesSyncAttempts);
        Assert.Contains("the fsync of " + _t.Data.Packages + " after the rename failed", sealedPackage.DurabilityWarning, StringComparison.Ordinal);
        Assert.True((await PackageVerifier.VerifyAsync(sealedPackage.Path, _t.Keys.TrustedKeyIds(), CancellationToken.None)).IsValid);
    }

    /// <summary>The real file system, except that fsync of one directory fails (EIO).</summary>
    private sealed class FailingDirectorySync(string failing) : IDurableFileSystem
    {
        private readonly PosixDurableFileSystem _real = new();

        public int PackagesSyncAttempts { get; private set; }

        public Stream CreateNew(string path) => _real.CreateNew(path);

        public Stream OpenAppend(string path) => _real.OpenAppend(path);

        public void Sync(Stream stream) => _real.Sync(stream);

        public void RenameNoReplace(string from, string to)
        {
            // A directory here (the seal's rename): the test layer models it itself, as DirectoryRename expects.
            if (Directory.Exists(from))
            {
                Directory.Move(from, to);
                return;
            }
            _real.RenameNoReplace(from, to);
        }

        public void SyncDirectory(string directory)
        {
            if (directory == failing)
            {
                PackagesSyncAttempts++;
                throw new IOException($"fsync of directory '{directory}' failed: errno 5.");
            }
            _real.SyncDirectory(directory);
        }
    }

    [Fact]
    public async Task Manifest_lists_every_file_but_manifest_and_signature_sorted_with_hashes()
    {
        var p = await _t.SealSampleAsync();
        var manifestBytes = await File.ReadAllBytesAsync(Path.Combine(p.Path, "manifest.json"));
        var manifest = PackageManifest.Parse(manifestBytes);

        Assert.Equal(new[] { "capture.json", "regions/BreechFace/fused-ring-0.png", "regions/BreechFace/height.x3p", "signer.json" }, manifest.Files.Select(f => f.Path));
        Assert.Equal(PackageMediaTypes.Capture, manifest.Files[0].MediaType);
        Assert.Equal(PackageMediaTypes.X3p, manifest.Files[2].MediaType);
        Assert.Equal(10_000, manifest.Files[2].Size);
        Assert.Null(manifest.SupplementOf);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifestBytes)), p.ManifestSha256);
        using var doc = JsonDocument.Parse(manifestBytes);
        Assert.Equal("acquisition.manifest/v1", doc.RootElement.GetProperty("schema").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("supplementOf").ValueKind);
    }

    [Fact]
    public async Task AddFile_returns_the_sha256_of_the_content()
    {
        var id = TestData.NewCaptureId();
        var b = PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System);
        var content = "hello"u8.ToArray();
        var sha = await b.AddFileAsync("raw/a.json", PackageMediaTypes.Json, content, CancellationToken.None);
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", sha);
        b.Abandon();
    }

    [Fact]
    public async Task Signature_verifies_with_openssl()
    {
        var p = await _t.SealSampleAsync();
        var pub = Path.Combine(_t.Root, "station.pub.pem");
        await File.WriteAllTextAsync(pub, _t.Keys.ExportPublicKeyPem());
        var psi = new ProcessStartInfo("openssl", ["dgst", "-sha256", "-verify", pub, "-signature", Path.Combine(p.Path, "manifest.sig"), Path.Combine(p.Path, "manifest.json")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var proc = Process.Start(psi)!;
        var output = await proc.StandardOutput.ReadToEndAsync();
        await proc.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, proc.ExitCode);
        Assert.Contains("Verified OK", output);
    }

    [Fact]
    public async Task A_sealed_capture_id_cannot_be_begun_again()
    {
        var p = await _t.SealSampleAsync();
        var ex = Assert.Throws<IOException>(() => PackageBuilder.Begin(_t.Data, p.CaptureId, "ST-01", _t.Writer, TimeProvider.System));
        Assert.Contains("never overwritten", ex.Message);
    }

    [Fact]
    public async Task Sealing_refuses_when_the_package_appeared_meanwhile()
    {
        var id = TestData.NewCaptureId();
        var b = PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System);
        Directory.CreateDirectory(Path.Combine(_t.Data.Packages, id, "x"));
        using var key = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => b.SealAsync(TestData.CaptureJson(id), key, CancellationToken.None));
        Assert.True(Directory.Exists(Path.Combine(_t.Data.Packages, id, "x")));
    }

    [Fact]
    public void Abandoned_staging_is_kept_and_blocks_reuse_of_the_id()
    {
        var id = TestData.NewCaptureId();
        var b = PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System);
        b.Abandon();
        Assert.True(Directory.Exists(b.StagingPath));
        Assert.Throws<IOException>(() => PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System));
    }

    [Fact]
    public async Task Abandoned_builder_refuses_more_files()
    {
        var b = PackageBuilder.Begin(_t.Data, TestData.NewCaptureId(), "ST-01", _t.Writer, TimeProvider.System);
        b.Abandon();
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.AddFileAsync("a.png", PackageMediaTypes.Png, new byte[1], CancellationToken.None));
    }

    [Theory]
    [InlineData("../escape.png")]
    [InlineData("/abs.png")]
    [InlineData("a\\b.png")]
    [InlineData("a//b.png")]
    [InlineData("manifest.json")]
    [InlineData("capture.json")]
    public async Task Bad_or_reserved_paths_are_refused(string path)
    {
        var b = PackageBuilder.Begin(_t.Data, TestData.NewCaptureId(), "ST-01", _t.Writer, TimeProvider.System);
        await Assert.ThrowsAsync<ArgumentException>(() => b.AddFileAsync(path, PackageMediaTypes.Png, new byte[1], CancellationToken.None));
        b.Abandon();
    }

    [Fact]
    public async Task The_same_file_cannot_be_added_twice()
    {
        var b = PackageBuilder.Begin(_t.Data, TestData.NewCaptureId(), "ST-01", _t.Writer, TimeProvider.System);
        await b.AddFileAsync("a.png", PackageMediaTypes.Png, new byte[1], CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => b.AddFileAsync("a.png", PackageMediaTypes.Png, new byte[2], CancellationToken.None));
        b.Abandon();
    }

    [Fact]
    public void Capture_ids_must_be_ulids()
    {
        Assert.Throws<ArgumentException>(() => PackageBuilder.Begin(_t.Data, "not-a-ulid", "ST-01", _t.Writer, TimeProvider.System));
        Assert.Throws<ArgumentException>(() => PackageBuilder.Begin(_t.Data, "01jcaptxre0000000000000001", "ST-01", _t.Writer, TimeProvider.System));
    }

    [Fact]
    public async Task Capture_json_must_carry_the_package_capture_id()
    {
        var id = TestData.NewCaptureId();
        var b = PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System);
        using var key = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentException>(() => b.SealAsync(TestData.CaptureJson(TestData.NewCaptureId()), key, CancellationToken.None));
    }

    [Fact]
    public async Task A_supplement_cannot_be_sealed_as_a_capture()
    {
        var original = await _t.SealSampleAsync();
        var id = TestData.NewCaptureId();
        var b = PackageBuilder.Begin(_t.Data, id, "ST-01", _t.Writer, TimeProvider.System, supplementOf: original.CaptureId);
        using var key = await _t.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => b.SealAsync(TestData.CaptureJson(id), key, CancellationToken.None));
        Assert.Contains("SealCorrectionAsync", ex.Message);
    }
}
