using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Xunit.Abstractions;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// Cuts the power at every file-system operation of "seal a package, then export it to the OCI layout" and checks
/// what a reboot finds: any package in packages/ verifies, the layout verifies, and the work can be finished.
/// </summary>
public sealed class PowerLossTests(ITestOutputHelper output)
{
    private static async Task<(string CaptureId, string? Digest)> SealAndExportAsync(string root, PowerLossFileSystem fs, string captureId, StationKeyStore keys)
    {
        var data = new DataDirectory(root);
        var writer = new DurableFileWriter(data, fs);
        var builder = PackageBuilder.Begin(data, captureId, "ST-07", writer, TimeProvider.System);
        var rng = new Random(7);
        foreach (var (path, size) in new[] { ("regions/BreechFace/fused-ring-0.png", 40_000), ("regions/BreechFace/height.x3p", 30_000) })
        {
            var bytes = new byte[size];
            rng.NextBytes(bytes);
            // Written in 4 KiB pieces, so the power can also go off half-way through a file.
            await builder.AddFileAsync(path, PackageMediaTypes.Png, async (s, ct) =>
            {
                for (var o = 0; o < bytes.Length; o += 4096)
                {
                    await s.WriteAsync(bytes.AsMemory(o, Math.Min(4096, bytes.Length - o)), ct);
                }
            }, CancellationToken.None);
        }
        using var key = await keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        var sealedPackage = await builder.SealAsync(TestStation.CaptureJson(captureId, "complete", false), key, CancellationToken.None);
        var layout = new OciLayoutDestination("usb", Path.Combine(root, "usb-layout"), fs);
        var artifact = await OciArtifact.FromPackageAsync(sealedPackage.Path, CancellationToken.None);
        return (captureId, await layout.ExportAsync(sealedPackage.Path, artifact, CancellationToken.None));
    }

    [Fact]
    public async Task Power_cut_at_every_operation_of_seal_and_export_leaves_verifiable_state()
    {
        int total;
        using (var dry = new TestStation())
        {
            var fs = new PowerLossFileSystem();
            await SealAndExportAsync(dry.Root, fs, dry.NextCaptureId(), dry.Keys);
            total = fs.Operations;
        }
        output.WriteLine($"{total} file-system operations in one seal + export");
        Assert.True(total > 20, "the scenario should have many cut points");

        var sealedSeen = 0;
        for (var cut = 1; cut <= total; cut++)
        {
            using var station = new TestStation();
            await station.Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
            var fs = new PowerLossFileSystem { CutAt = cut };
            var captureId = station.NextCaptureId();
            await Assert.ThrowsAsync<PowerCutException>(() => SealAndExportAsync(station.Root, fs, captureId, station.Keys));
            fs.ApplyPowerLoss();

            // After the reboot: a package in packages/ is complete and verifies, or there is none.
            var packageDir = Path.Combine(station.Data.Packages, captureId);
            if (Directory.Exists(packageDir))
            {
                sealedSeen++;
                var v = await PackageVerifier.VerifyAsync(packageDir, station.Keys.TrustedKeyIds(), CancellationToken.None);
                Assert.True(v.IsValid, $"cut {cut}: {v}");
            }
            var layoutPath = Path.Combine(station.Root, "usb-layout");
            if (File.Exists(Path.Combine(layoutPath, "index.json")))
            {
                var lv = await OciLayoutVerifier.VerifyAsync(layoutPath, CancellationToken.None);
                Assert.True(lv.IsValid, $"cut {cut}: {string.Join("; ", lv.Problems)}");
            }

            // And the work can be finished: export the sealed package (again), or capture anew.
            if (Directory.Exists(packageDir))
            {
                var artifact = await OciArtifact.FromPackageAsync(packageDir, CancellationToken.None);
                var digest = await new OciLayoutDestination("usb", layoutPath).ExportAsync(packageDir, artifact, CancellationToken.None);
                Assert.Equal(artifact.ManifestDigest, digest);
            }
            else
            {
                var (_, digest) = await SealAndExportAsync(station.Root, new PowerLossFileSystem(), station.NextCaptureId(), station.Keys);
                Assert.NotNull(digest);
            }
            var final = await OciLayoutVerifier.VerifyAsync(layoutPath, CancellationToken.None);
            Assert.True(final.IsValid, $"cut {cut} after recovery: {string.Join("; ", final.Problems)}");
            Assert.Single(final.Manifests);
        }
        output.WriteLine($"{sealedSeen} of {total} cuts left a sealed package");
        Assert.InRange(sealedSeen, 1, total - 1);
    }
}
