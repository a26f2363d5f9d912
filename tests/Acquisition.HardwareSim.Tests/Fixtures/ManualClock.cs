namespace Acquisition.HardwareSim.Tests.Fixtures;

/// <summary>
/// A hand-driven TimeProvider for the camera tests: time moves only when a test advances it, and timers (hence
/// Task.Delay(…, clock)) fire in due order as it passes them. No wall time is involved.
/// </summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);
    private TaskCompletionSource _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when any timer is next scheduled: lets a test wait for a party to start waiting.</summary>
    public Task WhenTimerScheduled()
    {
        lock (_gate)
        {
            return _scheduled.Task;
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The earliest pending timer's due time, if any.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count == 0 ? null : _timers.Min(t => t.Due);
            }
        }
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }
        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.Due <= target).OrderBy(t => t.Due).FirstOrDefault();
                if (due is null)
                {
                    _now = target;
                    return;
                }
                _now = due.Due > _now ? due.Due : _now;
                _timers.Remove(due);
            }
            due.Fire();
        }
    }

    /// <summary>Moves to the next timer's due time (if any) and fires it.</summary>
    public bool AdvanceToNextTimer()
    {
        var next = NextDue;
        if (next is null)
        {
            return false;
        }
        Advance(next.Value - GetUtcNow());
        return true;
    }

    private void Schedule(ManualTimer timer, DateTimeOffset? due)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (due is not null)
            {
                timer.Due = due.Value;
                _timers.Add(timer);
                var signal = _scheduled;
                _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);
                signal.TrySetResult();
            }
        }
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            clock.Schedule(this, dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime);
            return true;
        }

        public void Fire()
        {
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                clock.Schedule(this, Due + _period);
            }
            callback(state);
        }

        public void Dispose() => clock.Schedule(this, null);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
