using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// The upload bandwidth limit: how many bytes the limiter lets out per second of the injected clock (no wall time),
/// and one real push through it to the registry.
/// </summary>
[Collection("registry")]
public sealed class BandwidthLimitTests
{
    private const int Slice = 64 * 1024;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_limiter_releases_the_configured_bytes_per_virtual_second_and_no_more()
    {
        var clock = new TimerCountingClock(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        const long rate = 2 * Slice; // two 64 KiB slices per second
        var body = new byte[7 * Slice + 1000];
        var sink = new CountingStream();
        using var content = new ThrottledContent(body, rate, clock);

        var copy = content.CopyToAsync(sink, null, CancellationToken.None);

        // Each slice but the last is followed by the limiter's wait for its due time (a timer); the clock moves only
        // once that timer exists, so a move can never fall between the limiter reading the clock and arming its timer.
        int timers = 0;
        async Task AdvanceAsync(TimeSpan delta)
        {
            await clock.WhenTimersCreatedAsync(++timers).WaitAsync(Guard);
            clock.Advance(delta);
        }

        // The first slice leaves at once; after that, by virtual second t, at most rate × t + one slice is out.
        for (var second = 1; second <= 3; second++)
        {
            await AdvanceAsync(TimeSpan.FromMilliseconds(999));
            Assert.True(sink.Written <= (long)(rate * (second - 0.001)) + Slice, $"{sink.Written} bytes out at {second - 1}.999 s");
            await AdvanceAsync(TimeSpan.FromMilliseconds(1));
            await sink.WhenWrittenAsync(second * rate + Slice).WaitAsync(Guard);
            Assert.Equal(second * rate + Slice, sink.Written);
            Assert.False(copy.IsCompleted);
        }
        // 7 slices and a bit at 2 slices/s: the last byte may leave only after 3.5 s, and the body is done after
        // its whole size at the rate (3.52 s), not before.
        await AdvanceAsync(TimeSpan.FromMilliseconds(500));
        await sink.WhenWrittenAsync(body.Length).WaitAsync(Guard);
        Assert.False(copy.IsCompleted);
        await AdvanceAsync(TimeSpan.FromMilliseconds(20));
        await copy.WaitAsync(Guard);
        Assert.Equal(body.Length, sink.Written);
    }

    [Fact]
    public async Task Without_a_limit_the_body_goes_out_at_once_without_the_clock_moving()
    {
        var clock = new FakeTimeProvider();
        var sink = new CountingStream();
        using var content = new ThrottledContent(new byte[5 * Slice], null, clock);

        await content.CopyToAsync(sink, null, CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(5 * Slice, sink.Written);
    }

    [Fact]
    public async Task A_push_with_the_limit_on_is_delivered_and_verifies_on_the_real_registry()
    {
        await using var registry = await RegistryProcess.StartNewAsync();
        using var station = new TestStation();
        var package = await station.SealAsync(600_000);
        var options = UplinkRig.Options1(UplinkRig.RegistryDestination("national", registry.Url));
        options.ChunkSizeBytes = 256 * 1024;
        options.BandwidthLimitBytesPerSecond = 4_000_000;
        using var rig = new UplinkRig(station, options);
        var enq = await rig.EnqueueAsync(package.Path);

        await rig.DrainAsync();

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
        Assert.Equal(enq.OciManifestDigest, d.VerifiedDigest);
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(rig.Registry("national").Client, package.CaptureId, enq.OciManifestDigest!));
        // Every chunk went through the limiter (the rig builds the client with the configured limit).
        Assert.True(rig.Registry("national").BytesSent >= 600_000);
    }
}
