using System.Text;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Station.Hosting;
using Acquisition.Station.Uplink;
using Acquisition.Uplink;

namespace Acquisition.Station.Tests;

/// <summary>
/// The daemon's uplink on the fake profile: packages sealed with the real PackageBuilder and station key reach the
/// default OCI image layout under the data directory, and aborted packages are never queued as complete.
/// </summary>
public sealed class UplinkWiringTests
{
    /// <summary>Completes when the uplink has recorded a delivery as Delivered (the processor's "delivery.marked" point).</summary>
    private sealed class DeliveredSignal : IUplinkCheckpoints
    {
        private readonly object _gate = new();
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Next
        {
            get
            {
                lock (_gate)
                {
                    return _next.Task;
                }
            }
        }

        public void Reached(string checkpoint)
        {
            if (checkpoint != "delivery.marked")
            {
                return;
            }
            TaskCompletionSource done;
            lock (_gate)
            {
                done = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            done.TrySetResult();
        }
    }

    private static byte[] CaptureJson(string captureId, string status) =>
        Encoding.UTF8.GetBytes($$"""{"schema":"acquisition.capture/v1","captureId":"{{captureId}}","stationId":"SIM-UPLINK","status":"{{status}}","case":{"agency":"XX0000000","caseNumber":"2026-0142","exhibit":"1","item":"A","calibre":"9mm Luger","operatorId":"op1"},"searchProtocol":{"recoveredNearBorder":false,"terrorismRelated":false},"sealedAt":"2026-11-23T05:00:00Z"}""");

    private static async Task<SealedPackage> SealAsync(string dataRoot, string status)
    {
        var data = new DataDirectory(dataRoot).EnsureCreated();
        var captureId = Ulid.NewUlid().ToString();
        var builder = PackageBuilder.Begin(data, captureId, "SIM-UPLINK", new DurableFileWriter(data), TimeProvider.System);
        var payload = new byte[64 * 1024];
        new Random(7).NextBytes(payload);
        await builder.AddFileAsync("regions/BreechFace/height.x3p", PackageMediaTypes.X3p, payload, CancellationToken.None);
        using var key = await new StationKeyStore(data, TimeProvider.System).GetOrCreateSigningKeyAsync(CancellationToken.None);
        return await builder.SealAsync(CaptureJson(captureId, status), key, CancellationToken.None);
    }

    private static async Task<WebApplication> StartStationAsync(TempDirectory temp, DeliveredSignal signal)
    {
        var launch = StationLaunch.Parse(
        [
            "--config", RepositoryPaths.FirmwareConfig("station.sim.json"),
            $"--Station:DataDirectory={temp.Combine("data")}",
            "--Station:Hardware=fake",
            "--Station:StationId=SIM-UPLINK",
        ]);
        var app = StationHost.Build(launch, s => s.AddSingleton<IUplinkCheckpoints>(signal));
        Assert.Empty(await StationHost.PrepareAsync(app, CancellationToken.None));
        await app.StartAsync();
        using var cts = new CancellationTokenSource(StationProcess.Guard);
        await app.Services.GetRequiredService<StationStateMachine>().WaitForAsync(StationState.Ready, cts.Token);
        return app;
    }

    /// <summary>Awaits deliveries until <paramref name="captureId"/> is Delivered everywhere; the guard only bounds a failure.</summary>
    private static async Task<IReadOnlyList<OutboxDelivery>> AwaitDeliveredAsync(Outbox outbox, DeliveredSignal signal, Task firstSignal, string captureId)
    {
        var next = firstSignal;
        for (var round = 0; round < 10; round++)
        {
            var deliveries = await outbox.GetAsync(captureId, CancellationToken.None);
            if (deliveries.Count > 0 && deliveries.All(d => d.State == DeliveryState.Delivered))
            {
                return deliveries;
            }
            var reasons = string.Join("; ", deliveries.Select(d => $"{d.Destination}: {d.State} {d.Reason}"));
            try
            {
                await next.WaitAsync(StationProcess.Guard);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{captureId} not delivered within {StationProcess.Guard}; outbox: {reasons}");
            }
            next = signal.Next;
        }
        throw new Xunit.Sdk.XunitException($"{captureId} was not delivered after 10 deliveries");
    }

    [Fact]
    public async Task A_complete_package_sealed_before_start_is_delivered_to_the_default_oci_layout_and_an_aborted_one_is_not_queued()
    {
        using var temp = new TempDirectory();
        var dataRoot = temp.Combine("data");
        // Sealed while the daemon was down (a crash between seal and enqueue): the start-up scan must queue it.
        var complete = await SealAsync(dataRoot, "complete");
        var aborted = await SealAsync(dataRoot, "aborted");
        var signal = new DeliveredSignal();
        var delivered = signal.Next;
        await using var app = await StartStationAsync(temp, signal);
        try
        {
            var outbox = app.Services.GetRequiredService<Outbox>();
            Assert.Same(app.Services.GetRequiredService<UplinkService>().Outbox, outbox);

            var deliveries = await AwaitDeliveredAsync(outbox, signal, delivered, complete.CaptureId);

            var only = Assert.Single(deliveries);
            Assert.Equal(UplinkComposition.DefaultDestinationName, only.Destination);
            Assert.Equal(only.OciManifestDigest, only.VerifiedDigest);
            var layout = Path.Combine(dataRoot, UplinkComposition.DefaultLayoutDirectoryName);
            var verification = await OciLayoutVerifier.VerifyAsync(layout, CancellationToken.None);
            Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
            var manifest = Assert.Single(verification.Manifests);
            Assert.Equal(only.OciManifestDigest, manifest.Digest);

            // The scan handled both packages before draining; the aborted one is not in the outbox at all.
            Assert.Empty(await outbox.GetAsync(aborted.CaptureId, CancellationToken.None));
            Assert.DoesNotContain(await outbox.ListAsync(CancellationToken.None), d => d.CaptureId == aborted.CaptureId);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task A_package_sealed_while_running_is_queued_exactly_once_and_delivered_and_an_aborted_one_is_refused()
    {
        using var temp = new TempDirectory();
        var signal = new DeliveredSignal();
        await using var app = await StartStationAsync(temp, signal);
        try
        {
            var outbox = app.Services.GetRequiredService<Outbox>();
            var enqueuer = app.Services.GetRequiredService<PackageSealedEnqueuer>();

            var aborted = await SealAsync(temp.Combine("data"), "aborted");
            var refused = await enqueuer.EnqueuePackageAsync(aborted.Path, CancellationToken.None);
            Assert.Equal(EnqueueOutcome.NotComplete, refused.Outcome);
            Assert.Empty(await outbox.GetAsync(aborted.CaptureId, CancellationToken.None));

            var delivered = signal.Next;
            var complete = await SealAsync(temp.Combine("data"), "complete");
            var first = await enqueuer.EnqueuePackageAsync(complete.Path, CancellationToken.None);
            var second = await enqueuer.EnqueuePackageAsync(complete.Path, CancellationToken.None);
            Assert.True(first.Outcome == EnqueueOutcome.Enqueued || first.Outcome == EnqueueOutcome.AlreadyQueued,
                $"first enqueue: {first.Outcome} {string.Join("; ", first.Problems)}");
            Assert.Equal(EnqueueOutcome.AlreadyQueued, second.Outcome);

            var deliveries = await AwaitDeliveredAsync(outbox, signal, delivered, complete.CaptureId);
            Assert.Single(deliveries);
            var verification = await OciLayoutVerifier.VerifyAsync(temp.Combine("data", UplinkComposition.DefaultLayoutDirectoryName), CancellationToken.None);
            Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
            Assert.Contains(verification.Manifests, m => m.Digest == deliveries[0].OciManifestDigest);
            Assert.Empty(await outbox.GetAsync(aborted.CaptureId, CancellationToken.None));
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
