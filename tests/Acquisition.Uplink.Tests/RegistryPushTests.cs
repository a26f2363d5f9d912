using System.Text.Json;
using Acquisition.Packaging;

namespace Acquisition.Uplink.Tests;

[Collection("registry")]
public sealed class RegistryPushTests : RegistryTestBase
{
    [Fact]
    public async Task A_capture_is_pushed_as_an_oci_artifact_and_reads_back_identical()
    {
        var package = await Station.SealAsync(3_000_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url)));
        var enq = await rig.EnqueueAsync(package.Path);
        Assert.Equal(EnqueueOutcome.Enqueued, enq.Outcome);

        await rig.DrainAsync();

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Delivered, d.State);
        Assert.Equal(enq.OciManifestDigest, d.VerifiedDigest);
        var client = rig.Registry("national").Client;
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(client, package.CaptureId, enq.OciManifestDigest!));
        Assert.Equal(new[] { package.CaptureId }, await client.ListTagsAsync(CancellationToken.None));

        using var manifest = JsonDocument.Parse((await client.GetManifestAsync(package.CaptureId, CancellationToken.None))!);
        var root = manifest.RootElement;
        Assert.Equal("application/vnd.acquisition.casing.v1+json", root.GetProperty("artifactType").GetString());
        Assert.Equal(PackageMediaTypes.Capture, root.GetProperty("config").GetProperty("mediaType").GetString());
        var titles = root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("annotations").GetProperty("org.opencontainers.image.title").GetString()).ToArray();
        Assert.Equal(new[] { "capture.json", "manifest.json", "manifest.sig", "regions/BreechFace/confidence.png", "regions/BreechFace/fused-ring-0.png", "regions/BreechFace/height.x3p", "regions/FiringPin/qc.json", "signer.json" }, titles);
        var ann = root.GetProperty("annotations");
        Assert.Equal("2026-" + package.CaptureId[^4..], ann.GetProperty("org.acquisition.case.number").GetString());
        Assert.Equal("9mm Luger", ann.GetProperty("org.acquisition.case.calibre").GetString());
        Assert.Equal("ST-07", ann.GetProperty("org.acquisition.station.id").GetString());
    }

    [Fact]
    public async Task Enqueue_is_idempotent_and_a_repush_is_harmless()
    {
        var package = await Station.SealAsync(500_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url)));
        var first = await rig.EnqueueAsync(package.Path);
        var second = await rig.EnqueueAsync(package.Path);
        Assert.Equal(EnqueueOutcome.AlreadyQueued, second.Outcome);
        Assert.Empty(await rig.Outbox.EnqueueNewPackagesAsync(Station.Data.Packages, null, CancellationToken.None));
        await rig.DrainAsync();

        // An operator retry of a delivered capture does nothing; a second push of the same manifest is idempotent.
        Assert.Equal(0, await rig.Outbox.RetryAsync(package.CaptureId, CancellationToken.None));
        var again = await rig.Registry("national").Client.PutManifestAsync(package.CaptureId, (await rig.Outbox.GetArtifactAsync(package.CaptureId, CancellationToken.None)).ManifestBytes, CancellationToken.None);
        Assert.Equal(first.OciManifestDigest, again);
        Assert.Single(await rig.Registry("national").Client.ListTagsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Only_complete_packages_that_verify_are_queued_and_a_bad_one_is_rejected_with_its_reason()
    {
        var aborted = await Station.SealAsync(10_000, status: "aborted");
        var tampered = await Station.SealAsync(10_000);
        var file = Path.Combine(tampered.Path, "regions", "BreechFace", "height.x3p");
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[7] ^= 1;
        await File.WriteAllBytesAsync(file, bytes);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url)));

        Assert.Equal(EnqueueOutcome.NotComplete, (await rig.EnqueueAsync(aborted.Path)).Outcome);
        var r = await rig.EnqueueAsync(tampered.Path);
        Assert.Equal(EnqueueOutcome.Rejected, r.Outcome);
        await rig.DrainAsync();

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Rejected, d.State);
        Assert.Contains("regions/BreechFace/height.x3p", d.Reason);
        Assert.Empty(await rig.Registry("national").Client.ListTagsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_package_whose_signature_does_not_verify_or_whose_key_is_not_trusted_is_rejected_never_uploaded()
    {
        var badSignature = await Station.SealAsync(10_000);
        var sig = Path.Combine(badSignature.Path, "manifest.sig");
        var bytes = await File.ReadAllBytesAsync(sig);
        bytes[^3] ^= 0x20;
        await File.WriteAllBytesAsync(sig, bytes);
        // A well-formed package from another station's key: its signature verifies, but not under a key this station trusts.
        using var stranger = new TestStation(Path.Combine(Station.Root, "stranger"));
        var foreign = await stranger.SealAsync(10_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url, "sigtest/captures")));

        Assert.Equal(EnqueueOutcome.Rejected, (await rig.EnqueueAsync(badSignature.Path)).Outcome);
        Assert.Equal(EnqueueOutcome.Rejected, (await rig.EnqueueAsync(foreign.Path)).Outcome);
        await rig.DrainAsync();

        var all = await rig.Outbox.ListAsync(CancellationToken.None);
        Assert.Equal(2, all.Count);
        Assert.All(all, d => Assert.Equal(DeliveryState.Rejected, d.State));
        Assert.Contains("manifest.sig does not verify", all.Single(d => d.CaptureId == badSignature.CaptureId).Reason, StringComparison.Ordinal);
        Assert.Contains("not among the trusted station keys", all.Single(d => d.CaptureId == foreign.CaptureId).Reason, StringComparison.Ordinal);
        Assert.Empty(await rig.Registry("national").Client.ListTagsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_package_tampered_after_enqueue_is_rejected_not_uploaded()
    {
        var package = await Station.SealAsync(10_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url)));
        await rig.EnqueueAsync(package.Path);
        File.Delete(Path.Combine(package.Path, "regions", "FiringPin", "qc.json"));
        await rig.DrainAsync();
        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Rejected, d.State);
        Assert.Contains("missing", d.Reason);
        Assert.Empty(await rig.Registry("national").Client.ListTagsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Flagged_captures_also_go_to_the_international_destination_with_state_per_destination()
    {
        var plain = await Station.SealAsync(10_000);
        var flagged = await Station.SealAsync(10_000, flagged: true);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(
            UplinkRig.RegistryDestination("national", Registry.Url, "national/captures"),
            UplinkRig.RegistryDestination("interpol", Registry.Url, "ibin/exchange", DestinationRoute.SearchProtocolFlagged)));
        Assert.Equal(new[] { "national" }, (await rig.EnqueueAsync(plain.Path)).Destinations);
        Assert.Equal(new[] { "national", "interpol" }, (await rig.EnqueueAsync(flagged.Path)).Destinations);
        await rig.DrainAsync();

        Assert.All(await rig.Outbox.ListAsync(CancellationToken.None), d => Assert.Equal(DeliveryState.Delivered, d.State));
        Assert.Equal(new[] { plain.CaptureId, flagged.CaptureId }.Order(), (await rig.Registry("national").Client.ListTagsAsync(CancellationToken.None)).Order());
        Assert.Equal(new[] { flagged.CaptureId }, await rig.Registry("interpol").Client.ListTagsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Blobs_the_server_already_has_are_skipped()
    {
        var package = await Station.SealAsync(2_000_000);
        using (var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url, "first/repo"))))
        {
            await rig.EnqueueAsync(package.Path);
            await rig.DrainAsync();
        }
        // Same registry, other repository, fresh outbox: distribution mounts nothing across repositories by itself,
        // so use the same repository under a second destination name instead.
        File.Delete(Station.Data.OutboxDatabase);
        using var rig2 = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("again", Registry.Url, "first/repo")));
        await rig2.EnqueueAsync(package.Path);
        await rig2.DrainAsync();
        Assert.Equal(DeliveryState.Delivered, Assert.Single(await rig2.Outbox.ListAsync(CancellationToken.None)).State);
        Assert.Equal(0, rig2.Registry("again").BytesSent);
    }
}
