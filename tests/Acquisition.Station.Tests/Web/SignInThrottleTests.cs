using Acquisition.Station.Web;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Station.Tests.Web;

public sealed class SignInThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    private SignInThrottle Throttle(int attempts = 3, int lockoutMinutes = 15) =>
        new(Options.Create(new WebOptions { PinMaxAttempts = attempts, PinLockout = TimeSpan.FromMinutes(lockoutMinutes) }), _time);

    [Fact]
    public async Task The_nth_wrong_pin_locks_the_id_for_the_lockout_on_the_injected_clock()
    {
        var throttle = Throttle();
        Assert.Null(await throttle.FailedAsync("tech1", CancellationToken.None));
        Assert.Null(await throttle.FailedAsync("tech1", CancellationToken.None));
        Assert.Null(throttle.LockedUntil("tech1"));
        var until = await throttle.FailedAsync("tech1", CancellationToken.None);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(15), until);
        Assert.Equal(until, throttle.LockedUntil(" TECH1 ")); // ids are matched as the directory matches them

        _time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromTicks(1));
        Assert.Equal(until, throttle.LockedUntil("tech1"));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(throttle.LockedUntil("tech1"));
        // After the lock ran out the count starts again from zero.
        Assert.Null(await throttle.FailedAsync("tech1", CancellationToken.None));
    }

    [Fact]
    public async Task A_right_pin_before_the_limit_resets_the_count_and_ids_are_counted_apart()
    {
        var throttle = Throttle();
        await throttle.FailedAsync("tech1", CancellationToken.None);
        await throttle.FailedAsync("tech1", CancellationToken.None);
        throttle.Succeeded("tech1");
        Assert.Null(await throttle.FailedAsync("tech1", CancellationToken.None));
        Assert.Null(await throttle.FailedAsync("tech1", CancellationToken.None));
        await throttle.FailedAsync("tech2", CancellationToken.None);
        await throttle.FailedAsync("tech2", CancellationToken.None);
        Assert.NotNull(await throttle.FailedAsync("tech2", CancellationToken.None));
        Assert.Null(throttle.LockedUntil("tech1"));
    }
}
