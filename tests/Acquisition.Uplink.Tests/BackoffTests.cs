using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Uplink.Tests;

/// <summary>The retry schedule of a queued capture: exponential, with jitter, capped (issue 7, "Upload").</summary>
public sealed class BackoffTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "backoff-" + Guid.NewGuid().ToString("N"));

    public BackoffTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private UplinkProcessor Processor(TimeSpan initial, TimeSpan max)
    {
        var options = UplinkRig.Options1(UplinkRig.RegistryDestination("national", new Uri("http://127.0.0.1:9")));
        options.RetryInitialDelay = initial;
        options.RetryMaxDelay = max;
        var clock = new FakeTimeProvider();
        return new UplinkProcessor(new Outbox(Path.Combine(_dir, "outbox.db"), [("national", DestinationRoute.All)], clock), [], options, clock);
    }

    [Fact]
    public void Delays_double_per_attempt_within_equal_jitter_bounds_and_stop_growing_at_the_cap()
    {
        var processor = Processor(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));
        for (var attempts = 0; attempts <= 40; attempts++)
        {
            // "Equal jitter": half of the capped exponential is fixed, the other half random.
            var ceiling = Math.Min(2.0 * Math.Pow(2, attempts), 600.0);
            for (var draw = 0; draw < 20; draw++)
            {
                var delay = processor.Backoff(attempts).TotalSeconds;
                Assert.InRange(delay, ceiling / 2, ceiling);
            }
        }
        // Far past the cap the delay stays within the cap: a station offline for days still retries every <= 10 min.
        Assert.InRange(processor.Backoff(int.MaxValue).TotalSeconds, 300.0, 600.0);
    }

    [Fact]
    public void Delays_are_jittered_so_a_fleet_does_not_retry_in_lockstep()
    {
        var processor = Processor(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));
        // 50 draws of a continuous random half-interval: all equal only if there were no jitter at all.
        var draws = Enumerable.Range(0, 50).Select(_ => processor.Backoff(5)).Distinct().Count();
        Assert.True(draws > 1, "every retry delay was identical: no jitter");
    }
}
