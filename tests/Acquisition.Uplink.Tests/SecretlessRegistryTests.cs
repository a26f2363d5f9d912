namespace Acquisition.Uplink.Tests;

/// <summary>
/// Distribution 2.8.2 without a fixed http.secret: a restart makes up a new secret, so every open upload URL (its
/// signed _state) becomes invalid and the GET on it answers 404 BLOB_UPLOAD_INVALID. The station must then start that
/// blob again in a new session, and still deliver the capture intact.
/// </summary>
[Collection("registry")]
public sealed class SecretlessRegistryTests : IAsyncLifetime
{
    private readonly TestStation _station = new();
    private RegistryProcess _registry = null!;

    public async Task InitializeAsync()
    {
        _registry = new RegistryProcess(fixedSecret: false);
        await _registry.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _station.Dispose();
    }

    [Fact]
    public async Task After_a_restart_without_a_fixed_secret_the_open_upload_is_invalid_and_the_blob_starts_over()
    {
        const int chunkOfBigBlob = 2;
        var package = await _station.SealAsync(6_000_000);
        var options = UplinkRig.Options1(UplinkRig.RegistryDestination("national", _registry.Url));
        string digest;
        IReadOnlyList<ArtifactBlob> blobs;
        using (var probe = new UplinkRig(_station, options))
        {
            digest = (await probe.EnqueueAsync(package.Path)).OciManifestDigest!;
            blobs = (await probe.Outbox.GetArtifactAsync(package.CaptureId, CancellationToken.None)).DistinctBlobs();
        }
        var small = blobs.TakeWhile(b => b.Size <= 2L * options.ChunkSizeBytes).ToArray();
        var patchesBefore = small.Sum(b => (int)((b.Size + options.ChunkSizeBytes - 1) / options.ChunkSizeBytes));
        var crash = new CheckpointActions().On("blob.after-patch-saved", patchesBefore + chunkOfBigBlob, () =>
        {
            _registry.RestartAsync().GetAwaiter().GetResult();
            throw new SimulatedCrashException("crash after the second chunk of the big blob was recorded");
        });
        long sentAtCrash;
        string? urlAtCrash;
        using (var rig = new UplinkRig(_station, options, crash))
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(() => rig.Processor.RunOnceAsync(CancellationToken.None));
            sentAtCrash = rig.Registry("national").BytesSent;
            var progress = await rig.Outbox.GetBlobProgressAsync(package.CaptureId, "national", CancellationToken.None);
            urlAtCrash = progress[blobs[small.Length].Digest].UploadUrl;
        }
        Assert.NotNull(urlAtCrash);
        using var resumed = new UplinkRig(_station, options);

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
