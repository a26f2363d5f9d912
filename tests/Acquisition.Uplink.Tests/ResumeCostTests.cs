namespace Acquisition.Uplink.Tests;

/// <summary>
/// What a resume re-sends when the registry reports the true offset of an open upload on GET, as the OCI spec
/// describes: the real registry behind <see cref="RegistryProxy.TrackUploadState"/>. Distribution alone cancels a
/// session addressed with an older signed state, which RegistryOutageTests and the crash test measure.
/// </summary>
[Collection("registry")]
public sealed class ResumeCostTests : IAsyncLifetime
{
    private RegistryProcess _registry = null!;
    private RegistryProxy _gateway = null!;
    private readonly TestStation _station = new();

    public async Task InitializeAsync()
    {
        _registry = await RegistryProcess.StartNewAsync();
        _gateway = new RegistryProxy(_registry.Url) { TrackUploadState = true };
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _registry.DisposeAsync();
        _station.Dispose();
    }

    [Theory]
    [InlineData("blob.before-patch")]
    [InlineData("blob.after-patch")]
    [InlineData("blob.after-patch-saved")]
    public async Task A_crash_around_a_chunk_resumes_at_the_offset_the_server_reports_and_re_sends_nothing(string checkpoint)
    {
        const int chunkOfBigBlob = 3;
        var package = await _station.SealAsync(6_000_000);
        var options = UplinkRig.Options1(UplinkRig.RegistryDestination("national", _gateway.Url));
        string digest;
        IReadOnlyList<ArtifactBlob> blobs;
        using (var probe = new UplinkRig(_station, options))
        {
            digest = (await probe.EnqueueAsync(package.Path)).OciManifestDigest!;
            blobs = (await probe.Outbox.GetArtifactAsync(package.CaptureId, CancellationToken.None)).DistinctBlobs();
        }
        var small = blobs.TakeWhile(b => b.Size <= 2L * options.ChunkSizeBytes).ToArray();
        var patchesBefore = small.Sum(b => (int)((b.Size + options.ChunkSizeBytes - 1) / options.ChunkSizeBytes));
        var crash = new CheckpointActions().On(checkpoint, patchesBefore + chunkOfBigBlob, () => throw new SimulatedCrashException("crash at " + checkpoint));
        long sentAtCrash;
        using (var rig = new UplinkRig(_station, options, crash))
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(() => rig.Processor.RunOnceAsync(CancellationToken.None));
            sentAtCrash = rig.Registry("national").BytesSent;
        }
        using var resumed = new UplinkRig(_station, options);
        await resumed.DrainAsync();

        var d = Assert.Single(await resumed.Outbox.ListAsync(CancellationToken.None));
        Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(resumed.Registry("national").Client, package.CaptureId, digest));
        // For blob.after-patch the outbox still held the offset before the chunk; the GET answered the registry's
        // real offset, one chunk further, and the upload went on from there.
        Assert.Equal(blobs.Sum(b => b.Size), sentAtCrash + resumed.Registry("national").BytesSent);
        Assert.Contains(_gateway.Requests, r => r.Method == "GET" && r.PathAndQuery.Contains("/blobs/uploads/", StringComparison.Ordinal));
    }
}
