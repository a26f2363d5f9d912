using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that lets a test await the code under test's next timer before moving the clock.
/// Code that computes a wait from the clock and then creates its timer can be overtaken by an Advance in between; the
/// timer then counts from the advanced time and fires a whole step late, or never within the test. Advancing only
/// once the timer exists makes the order fixed.
/// </summary>
public sealed class TimerCountingClock(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _clock = new(start);
    private readonly CountReached _created = new();

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _clock.LocalTimeZone;

    public void Advance(TimeSpan delta) => _clock.Advance(delta);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        _created.Add(1);
        return timer;
    }

    /// <summary>Completes once at least <paramref name="count"/> timers were created.</summary>
    public Task WhenTimersCreatedAsync(int count) => _created.WhenReachedAsync(count);
}
