namespace Acquisition.Uplink.Tests;

/// <summary>
/// What a resume after a crash around a chunk re-sends, measured chunk by chunk with <see cref="ResendLedger"/>
/// against the real registry process: once behind <see cref="RegistryProxy.TrackUploadState"/> (a registry that keeps
/// upload state itself and answers the GET on an upload URL with the true offset, as the OCI spec describes), and once
/// against distribution 2.8.2 alone, which keeps the offset in the URL's signed <c>_state</c> and cancels a session
/// asked about with an older state than its data.
/// </summary>
[Collection("registry")]
public sealed class ResumeCostTests : RegistryTestBase
{
    private const int ChunkOfBigBlob = 3;
    private RegistryProxy _gateway = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _gateway = new RegistryProxy(Registry.Url) { TrackUploadState = true };
    }

    public override async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await base.DisposeAsync();
    }

    [Theory]
    [InlineData("blob.before-patch")]
    [InlineData("blob.after-patch")]
    [InlineData("blob.after-patch-saved")]
    public async Task A_crash_around_a_chunk_resumes_at_the_offset_the_server_reports_and_re_sends_nothing(string checkpoint)
    {
        var run = await CrashAndResumeAsync(_gateway.Url, checkpoint);

        // For blob.after-patch the outbox still held the offset before the chunk; the GET answered the registry's
        // real offset, one chunk further, and the upload went on from there.
        Assert.Equal(0, run.Ledger.TotalResent);
        Assert.True(run.Ledger.TotalResent <= run.ChunkSize, "issue 7: a resume re-sends at most one chunk");
        Assert.Equal(run.Blobs.Sum(b => b.Size), run.Ledger.TotalSent);
        Assert.Contains(_gateway.Requests, r => r.Method == "GET" && r.PathAndQuery.Contains("/blobs/uploads/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("blob.before-patch")]
    [InlineData("blob.after-patch-saved")]
    public async Task Against_distribution_alone_a_crash_between_requests_resumes_from_the_get_and_re_sends_nothing(string checkpoint)
    {
        var run = await CrashAndResumeAsync(Registry.Url, checkpoint);

        // The stored URL is the registry's latest: its GET answers 204 with the Range, and the upload goes on.
        Assert.Equal(0, run.Ledger.TotalResent);
        Assert.Equal(run.Blobs.Sum(b => b.Size), run.Ledger.TotalSent);
    }

    [Fact]
    public async Task Against_distribution_alone_a_crash_after_it_took_a_chunk_the_outbox_had_not_recorded_restarts_that_one_blob()
    {
        var run = await CrashAndResumeAsync(Registry.Url, "blob.after-patch");

        // Distribution held the chunk, the outbox the URL before it: the GET with that URL finds the session's data
        // longer than its signed offset, distribution cancels the session (404 BLOB_UPLOAD_INVALID), and the blob
        // starts over. Re-sent: exactly what that blob had on the server, more than the one chunk issue 7 allows and
        // no more than the blob; every other blob is untouched and the capture is delivered intact.
        var expected = Math.Min(ChunkOfBigBlob * (long)run.ChunkSize, run.BigBlob.Size);
        Assert.Equal(expected, run.Ledger.TotalResent);
        Assert.True(run.Ledger.TotalResent > run.ChunkSize);
        Assert.True(run.Ledger.TotalResent <= run.BigBlob.Size);
    }

    private sealed record ResumeRun(ResendLedger Ledger, int ChunkSize, IReadOnlyList<ArtifactBlob> Blobs, ArtifactBlob BigBlob);

    /// <summary>
    /// Seals a 6 MB package, pushes it until the crash at <paramref name="checkpoint"/> on the third chunk of its first
    /// blob of more than two chunks, resumes with fresh process state, and checks the delivery on the server.
    /// </summary>
    private async Task<ResumeRun> CrashAndResumeAsync(Uri registry, string checkpoint)
    {
        var package = await Station.SealAsync(6_000_000);
        var options = UplinkRig.Options1(UplinkRig.RegistryDestination("national", registry));
        string digest;
        IReadOnlyList<ArtifactBlob> blobs;
        using (var probe = new UplinkRig(Station, options))
        {
            digest = (await probe.EnqueueAsync(package.Path)).OciManifestDigest!;
            blobs = (await probe.Outbox.GetArtifactAsync(package.CaptureId, CancellationToken.None)).DistinctBlobs();
        }
        var chunk = options.ChunkSizeBytes;
        var small = blobs.TakeWhile(b => b.Size <= 2L * chunk).ToArray();
        var big = blobs.Skip(small.Length).First();
        var patchesBefore = small.Sum(b => (int)((b.Size + chunk - 1) / chunk));
        var ledger = new ResendLedger();
        var crash = new CheckpointActions { Ledger = ledger }.On(checkpoint, patchesBefore + ChunkOfBigBlob, () => throw new SimulatedCrashException("crash at " + checkpoint));
        using (var rig = new UplinkRig(Station, options, crash))
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(() => rig.Processor.RunOnceAsync(CancellationToken.None));
        }
        using var resumed = new UplinkRig(Station, options, new CheckpointActions { Ledger = ledger });
        await resumed.DrainAsync();

        var d = Assert.Single(await resumed.Outbox.ListAsync(CancellationToken.None));
        Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(resumed.Registry("national").Client, package.CaptureId, digest));
        return new ResumeRun(ledger, chunk, blobs, big);
    }
}
