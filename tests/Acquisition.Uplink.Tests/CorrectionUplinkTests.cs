using System.Text.Json;
using Acquisition.Packaging;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// Issue 6 §4 over the uplink: a correction supplement is queued like a package and pushed as its own artifact whose
/// subject is the corrected capture's manifest, to a real registry (distribution 2.8, no referrers API: the OCI 1.1
/// fallback tag) and to an OCI image layout.
/// </summary>
[Collection("registry")]
public sealed class CorrectionUplinkTests : RegistryTestBase
{
    [Fact]
    public async Task A_correction_is_pushed_as_a_referrer_of_its_capture_and_a_client_finds_it_through_the_referrers_contract()
    {
        var original = await Station.SealAsync(400_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url)));
        var enqOriginal = await rig.EnqueueAsync(original.Path);
        var first = await Station.SealCorrectionAsync(original, "2026-0100", 1);
        var second = await Station.SealCorrectionAsync(original, "2026-0200", 2);

        // The scan finds the corrections like any sealed package, after their original (ULID order).
        var scanned = await rig.Outbox.EnqueueNewPackagesAsync(Station.Data.Packages, Station.Keys.TrustedKeyIds(), CancellationToken.None);
        Assert.Equal([first.CaptureId, second.CaptureId], scanned.Select(r => r.CaptureId).ToArray());
        Assert.All(scanned, r => Assert.Equal(EnqueueOutcome.Enqueued, r.Outcome));
        Assert.All(scanned, r => Assert.Equal(["national"], r.Destinations.ToArray()));
        await rig.DrainAsync();

        Assert.All(await rig.Outbox.ListAsync(CancellationToken.None), d => Assert.Equal(DeliveryState.Delivered, d.State));
        var client = rig.Registry("national").Client;
        var tags = await client.ListTagsAsync(CancellationToken.None);
        Assert.Contains(original.CaptureId + "-correction-1", tags);
        Assert.Contains(original.CaptureId + "-correction-2", tags);
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(client, original.CaptureId + "-correction-1", scanned[0].OciManifestDigest!));

        using (var manifest = JsonDocument.Parse((await client.GetManifestAsync(original.CaptureId + "-correction-1", CancellationToken.None))!))
        {
            var root = manifest.RootElement;
            Assert.Equal(OciMediaTypes.CorrectionArtifact, root.GetProperty("artifactType").GetString());
            Assert.Equal(PackageMediaTypes.Correction, root.GetProperty("config").GetProperty("mediaType").GetString());
            Assert.Equal(enqOriginal.OciManifestDigest, root.GetProperty("subject").GetProperty("digest").GetString());
            Assert.Equal(OciMediaTypes.ImageManifest, root.GetProperty("subject").GetProperty("mediaType").GetString());
            Assert.Equal(["correction.json", "manifest.json", "manifest.sig", "signer.json"],
                root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("annotations").GetProperty(OciMediaTypes.TitleAnnotation).GetString()!).ToArray());
            Assert.Equal(original.CaptureId, root.GetProperty("annotations").GetProperty(OciMediaTypes.SupplementOfAnnotation).GetString());
            Assert.Equal("2026-0100", root.GetProperty("annotations").GetProperty(OciMediaTypes.CaseNumberAnnotation).GetString());
        }
        // The original's manifest is untouched on the server: same digest as queued.
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(client, original.CaptureId, enqOriginal.OciManifestDigest!));

        // What a correlation server does: list the referrers of the capture's manifest, corrections only.
        var referrers = await client.ListReferrersAsync(enqOriginal.OciManifestDigest!, OciMediaTypes.CorrectionArtifact, CancellationToken.None);
        Assert.Equal([scanned[0].OciManifestDigest!, scanned[1].OciManifestDigest!], referrers.Select(r => r.Digest).ToArray());
        Assert.Equal(["1", "2"], referrers.Select(r => r.Annotations[OciMediaTypes.CorrectionSequenceAnnotation]).ToArray());
        Assert.Contains("sha256-" + enqOriginal.OciManifestDigest!["sha256:".Length..], tags);

        // A repeated delivery (an operator retry after a lost answer) links nothing twice.
        await rig.Registry("national").DeliverAsync((await rig.Outbox.GetAsync(first.CaptureId, CancellationToken.None)).Single(),
            await rig.Outbox.GetArtifactAsync(first.CaptureId, CancellationToken.None), rig.Outbox, CancellationToken.None);
        Assert.Equal(2, (await client.ListReferrersAsync(enqOriginal.OciManifestDigest!, null, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_correction_is_exported_to_an_oci_layout_with_its_subject_after_its_capture()
    {
        var original = await Station.SealAsync(200_000);
        var layout = Path.Combine(Station.Root, "layout-usb");
        using var rig = new UplinkRig(Station, UplinkRig.Options1(new UplinkDestinationOptions { Name = "usb", Kind = UplinkDestinationKind.OciLayout, LayoutPath = layout }));
        var enqOriginal = await rig.EnqueueAsync(original.Path);
        var correction = await Station.SealCorrectionAsync(original, "2026-0300");
        var enq = await rig.EnqueueAsync(correction.Path);
        Assert.Equal(EnqueueOutcome.Enqueued, enq.Outcome);
        await rig.DrainAsync();

        var check = await OciLayoutVerifier.VerifyAsync(layout, CancellationToken.None);
        Assert.True(check.IsValid, string.Join("; ", check.Problems));
        var entry = check.Manifests.Single(m => m.Tag == original.CaptureId + "-correction-1");
        Assert.Equal(enq.OciManifestDigest, entry.Digest);
        Assert.Equal(OciMediaTypes.CorrectionArtifact, entry.ArtifactType);
        Assert.Equal(enqOriginal.OciManifestDigest, entry.SubjectDigest);
        Assert.Null(check.Manifests.Single(m => m.Tag == original.CaptureId).SubjectDigest);
    }

    [Fact]
    public async Task A_correction_of_a_capture_that_is_not_uploaded_stays_local()
    {
        var aborted = await Station.SealAsync(100_000, status: "aborted");
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url)));
        var correction = await Station.SealCorrectionAsync(aborted, "2026-0400");

        var result = await rig.EnqueueAsync(correction.Path);
        Assert.Equal(EnqueueOutcome.NotComplete, result.Outcome);
        Assert.Contains("stays local", Assert.Single(result.Problems));
        Assert.Empty(await rig.Outbox.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_tampered_correction_or_one_naming_other_original_bytes_is_rejected_and_never_uploaded()
    {
        var original = await Station.SealAsync(100_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url)));
        await rig.EnqueueAsync(original.Path);
        var tampered = await Station.SealCorrectionAsync(original, "2026-0500");
        var path = Path.Combine(tampered.Path, PackageFiles.Correction);
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("2026-0500", "2026-0501", StringComparison.Ordinal));
        var wrongHash = await Station.SealCorrectionAsync(original, "2026-0600", 2, originalManifestSha256: new string('b', 64));

        var r1 = await rig.EnqueueAsync(tampered.Path);
        var r2 = await rig.EnqueueAsync(wrongHash.Path);
        Assert.Equal(EnqueueOutcome.Rejected, r1.Outcome);
        Assert.Contains(r1.Problems, p => p.StartsWith("correction.json has SHA-256", StringComparison.Ordinal));
        Assert.Equal(EnqueueOutcome.Rejected, r2.Outcome);
        Assert.Contains(r2.Problems, p => p.Contains("does not correct this package", StringComparison.Ordinal));
        Assert.Contains(r2.Problems, p => p.Contains("but the capture was queued with", StringComparison.Ordinal));
        await rig.DrainAsync();

        var tags = await rig.Registry("national").Client.ListTagsAsync(CancellationToken.None);
        Assert.Equal([original.CaptureId], tags);
    }
}
