namespace Acquisition.Uplink.Tests;

/// <summary>
/// Distribution 2.8.2 without a fixed http.secret: a restart makes up a new secret, so every open upload URL (its
/// signed _state) becomes invalid and the GET on it answers 404 BLOB_UPLOAD_INVALID. The station must then start that
/// blob again in a new session, and still deliver the capture intact.
/// </summary>
[Collection("registry")]
public sealed class SecretlessRegistryTests : RegistryTestBase
{
    protected override async Task<RegistryProcess> StartRegistryAsync()
    {
        var registry = new RegistryProcess(fixedSecret: false);
        await registry.StartAsync();
        return registry;
    }

    [Fact]
    public async Task After_a_restart_without_a_fixed_secret_the_open_upload_is_invalid_and_the_blob_starts_over()
    {
        const int chunkOfBigBlob = 2;
        var package = await Station.SealAsync(6_000_000);
        var options = UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url));
        string digest;
        IReadOnlyList<ArtifactBlob> blobs;
        using (var probe = new UplinkRig(Station, options))
        {
            digest = (await probe.EnqueueAsync(package.Path)).OciManifestDigest!;
            blobs = (await probe.Outbox.GetArtifactAsync(package.CaptureId, CancellationToken.None)).DistinctBlobs();
        }
        var small = blobs.TakeWhile(b => b.Size <= 2L * options.ChunkSizeBytes).ToArray();
        var patchesBefore = small.Sum(b => (int)((b.Size + options.ChunkSizeBytes - 1) / options.ChunkSizeBytes));
        var crash = new CheckpointActions().On("blob.after-patch-saved", patchesBefore + chunkOfBigBlob, () =>
        {
            Registry.RestartAsync().GetAwaiter().GetResult();
            throw new SimulatedCrashException("crash after the second chunk of the big blob was recorded");
        });
        long sentAtCrash;
        string? urlAtCrash;
        using (var rig = new UplinkRig(Station, options, crash))
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(() => rig.Processor.RunOnceAsync(CancellationToken.None));
            sentAtCrash = rig.Registry("national").BytesSent;
            var progress = await rig.Outbox.GetBlobProgressAsync(package.CaptureId, "national", CancellationToken.None);
            urlAtCrash = progress[blobs[small.Length].Digest].UploadUrl;
        }
        Assert.NotNull(urlAtCrash);
        using var resumed = new UplinkRig(Station, options);

        // The recorded URL is dead after the restart: the registry no longer accepts its _state.
        using (var plain = new HttpClient())
        using (var res = await plain.GetAsync(urlAtCrash).WaitAsync(TimeSpan.FromSeconds(60)))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, res.StatusCode);
            Assert.Contains("BLOB_UPLOAD_INVALID", await res.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Null(await resumed.Registry("national").Client.GetUploadStatusAsync(urlAtCrash, CancellationToken.None));
        await resumed.DrainAsync();

        var d = Assert.Single(await resumed.Outbox.ListAsync(CancellationToken.None));
        Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(resumed.Registry("national").Client, package.CaptureId, digest));
        // The two recorded chunks of the big blob went again in the new session, nothing else.
        Assert.Equal(chunkOfBigBlob * (long)options.ChunkSizeBytes, sentAtCrash + resumed.Registry("national").BytesSent - blobs.Sum(b => b.Size));
    }
}
