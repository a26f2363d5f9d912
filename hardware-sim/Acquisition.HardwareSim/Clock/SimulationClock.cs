using System.Diagnostics;

namespace Acquisition.HardwareSim.Clock;

/// <summary>
/// The one clock of the bench and of the station under test. Virtual mode jumps to the next timer once every
/// party waits; real-time mode follows the wall clock but stops while the simulator holds a <see cref="Pause"/>.
/// </summary>
/// <remarks>
/// "Every party waits" in virtual mode means, all at once: no <see cref="Busy"/> lease is held (the simulator holds
/// one while it has unprocessed input or work, and every timer callback runs under one); every registered busy
/// probe (<see cref="AddBusyProbe"/>; the pseudo-terminal registers "no unread bytes in either direction") says
/// idle; and nothing at all happened for <see cref="SimulationClockOptions.QuiescenceWindow"/> of real time. The
/// last rule is what covers the station's own computation, which the clock cannot observe.
/// </remarks>
public sealed class SimulationClock : TimeProvider, IDisposable
{
    private readonly object _gate = new();
    private readonly List<SimTimer> _timers = [];
    private readonly List<Func<bool>> _busyProbes = [];
    private readonly SimulationClockOptions _options;
    private readonly DateTimeOffset _start;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly Thread? _scheduler;
    private long _virtualTicks;
    private long _sequence;
    private int _busy;
    private long _lastActivityWallTicks;
    private int _pauseDepth;
    private long _pausedTicks;
    private long _pauseStartedWallTicks;
    private bool _disposed;

    public SimulationClock(SimulationClockOptions? options = null)
    {
        _options = options ?? new SimulationClockOptions();
        _options.Validate();
        _start = _options.EffectiveStart;
        if (_options.Mode == ClockMode.RealTime || _options.AutoAdvance)
        {
            _scheduler = new Thread(SchedulerLoop) { IsBackground = true, Name = "SimulationClock" };
            _scheduler.Start();
        }
    }

    public ClockMode Mode => _options.Mode;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>How far simulated time has run since start.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromTicks(ElapsedTicksLocked());
            }
        }
    }

    /// <summary>Timers armed and not yet fired (for tests and diagnostics).</summary>
    public int PendingTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueTicks.HasValue);
            }
        }
    }

    /// <summary>
    /// Why time is or is not moving, in one line: the armed timers, the leases held, the real time since the last
    /// activity and whether a busy probe vetoes a jump. For a timeout's message, when a wait on the bench ran out.
    /// </summary>
    public string DescribeState()
    {
        string text;
        lock (_gate)
        {
            var next = NextTimerLocked();
            var now = ElapsedTicksLocked();
            var mode = _options.Mode == ClockMode.Virtual ? "virtual" : "real-time";
            var due = next is null
                ? ""
                : FormattableString.Invariant($", next due in {TimeSpan.FromTicks(next.DueTicks!.Value - now).TotalMilliseconds:0.###} ms");
            var paused = _pauseDepth > 0 ? "paused; " : "";
            var quietMs = TimeSpan.FromTicks(_wall.Elapsed.Ticks - _lastActivityWallTicks).TotalMilliseconds;
            text = FormattableString.Invariant(
                $"{mode} clock at {TimeSpan.FromTicks(now).TotalSeconds:0.000} s; {_timers.Count(t => t.DueTicks.HasValue)} timer(s) armed{due}; {_busy} busy lease(s); {paused}quiet for {quietMs:0} ms of real time");
        }
        // Probes may do I/O: outside the lock, as the scheduler calls them.
        return text + (AnyProbeBusy() ? "; a busy probe vetoes jumps" : "; no probe is busy");
    }

    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    public override long GetTimestamp() => Elapsed.Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SimTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Holds virtual time still while the holder has work in hand (unprocessed input, a frame to render). Dispose
    /// to release. Cheap; take it around every piece of simulator work triggered by something other than a timer.
    /// </summary>
    public IDisposable Busy()
    {
        lock (_gate)
        {
            _busy++;
            NoteActivityLocked();
        }
        return new Lease(this, isPause: false);
    }

    /// <summary>
    /// Stops time while the simulator does work that is its own cost (rendering a frame). In real-time mode the
    /// wall clock's progress during the pause is subtracted; in virtual mode it acts as a <see cref="Busy"/> lease.
    /// </summary>
    public IDisposable Pause()
    {
        lock (_gate)
        {
            if (_options.Mode == ClockMode.RealTime)
            {
                if (_pauseDepth++ == 0)
                {
                    _pauseStartedWallTicks = _wall.Elapsed.Ticks;
                }
            }
            else
            {
                _busy++;
            }
            NoteActivityLocked();
        }
        return new Lease(this, isPause: true);
    }

    /// <summary>
    /// Completes after <paramref name="delay"/> of simulated time, already holding a <see cref="Busy"/> lease taken
    /// inside the timer's callback: time cannot move between the wake-up and what the caller does next. Dispose the
    /// lease when done. This is how a test acts "at t + delay" (e.g. opens the door one second into a move).
    /// </summary>
    public async Task<IDisposable> DelayThenHoldAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var woke = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = CreateTimer(_ =>
        {
            var lease = Busy();
            if (!woke.TrySetResult(lease))
            {
                lease.Dispose();
            }
        }, null, delay, Timeout.InfiniteTimeSpan);
        using var registration = cancellationToken.Register(() => woke.TrySetCanceled(cancellationToken));
        return await woke.Task.ConfigureAwait(false);
    }

    /// <summary>Tells the clock something happened (a byte moved, a request arrived): restarts the quiescence window.</summary>
    public void NoteActivity()
    {
        lock (_gate)
        {
            NoteActivityLocked();
        }
    }

    /// <summary>Adds a check consulted before every virtual jump; returning true vetoes the jump.</summary>
    public IDisposable AddBusyProbe(Func<bool> isBusy)
    {
        ArgumentNullException.ThrowIfNull(isBusy);
        lock (_gate)
        {
            _busyProbes.Add(isBusy);
            Monitor.PulseAll(_gate);
        }
        return new ProbeRegistration(this, isBusy);
    }

    /// <summary>
    /// Virtual mode, driven by hand: moves time forward by <paramref name="by"/>, firing every timer that falls due
    /// on the way at its own due time, synchronously on the calling thread.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Time cannot run backwards.");
        }
        RequireVirtual();
        long target;
        lock (_gate)
        {
            target = _virtualTicks + by.Ticks;
        }
        while (true)
        {
            SimTimer? next;
            lock (_gate)
            {
                next = NextTimerLocked();
                if (next is null || next.DueTicks!.Value > target)
                {
                    _virtualTicks = Math.Max(_virtualTicks, target);
                    return;
                }
                _virtualTicks = Math.Max(_virtualTicks, next.DueTicks.Value);
            }
            FireDue(synchronously: true);
        }
    }

    /// <summary>Virtual mode, driven by hand: jumps to the earliest armed timer and fires it. False when none is armed.</summary>
    public bool AdvanceToNextTimer()
    {
        RequireVirtual();
        lock (_gate)
        {
            var next = NextTimerLocked();
            if (next is null)
            {
                return false;
            }
            _virtualTicks = Math.Max(_virtualTicks, next.DueTicks!.Value);
        }
        FireDue(synchronously: true);
        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        _scheduler?.Join(TimeSpan.FromSeconds(5));
    }

    private void RequireVirtual()
    {
        if (_options.Mode != ClockMode.Virtual)
        {
            throw new InvalidOperationException("Advance is for the virtual clock; a real-time clock follows the wall clock.");
        }
    }

    private long ElapsedTicksLocked()
    {
        if (_options.Mode == ClockMode.Virtual)
        {
            return _virtualTicks;
        }
        var wall = _pauseDepth > 0 ? _pauseStartedWallTicks : _wall.Elapsed.Ticks;
        return wall - _pausedTicks;
    }

    private void NoteActivityLocked()
    {
        _lastActivityWallTicks = _wall.Elapsed.Ticks;
        Monitor.PulseAll(_gate);
    }

    private SimTimer? NextTimerLocked()
    {
        SimTimer? best = null;
        foreach (var t in _timers)
        {
            if (t.DueTicks is { } due && (best is null || due < best.DueTicks!.Value
                || (due == best.DueTicks.Value && t.Sequence < best.Sequence)))
            {
                best = t;
            }
        }
        return best;
    }

    /// <summary>Fires every timer due now, earliest first. Returns how many fired.</summary>
    private int FireDue(bool synchronously)
    {
        var fired = 0;
        while (true)
        {
            SimTimer? timer;
            lock (_gate)
            {
                timer = NextTimerLocked();
                if (timer is null || timer.DueTicks!.Value > ElapsedTicksLocked())
                {
                    return fired;
                }
                timer.Rearm(ElapsedTicksLocked());
                if (!synchronously)
                {
                    _busy++;
                }
            }
            fired++;
            if (synchronously)
            {
                timer.Invoke();
            }
            else
            {
                // Each callback runs under a lease, so that whatever it starts synchronously (a Task.Delay's
                // continuation, a controller step) finishes before time may jump again.
                ThreadPool.UnsafeQueueUserWorkItem(static s =>
                {
                    var (clock, t) = ((SimulationClock, SimTimer))s!;
                    try
                    {
                        t.Invoke();
                    }
                    finally
                    {
                        clock.ReleaseBusy();
                    }
                }, (this, timer));
            }
        }
    }

    private void ReleaseBusy()
    {
        lock (_gate)
        {
            _busy--;
            NoteActivityLocked();
        }
    }

    private void EndPause()
    {
        lock (_gate)
        {
            if (_options.Mode == ClockMode.RealTime)
            {
                if (--_pauseDepth == 0)
                {
                    _pausedTicks += _wall.Elapsed.Ticks - _pauseStartedWallTicks;
                }
            }
            else
            {
                _busy--;
            }
            NoteActivityLocked();
        }
    }

    private bool AnyProbeBusy()
    {
        Func<bool>[] probes;
        lock (_gate)
        {
            probes = [.. _busyProbes];
        }
        foreach (var probe in probes)
        {
            if (probe())
            {
                return true;
            }
        }
        return false;
    }

    private void SchedulerLoop()
    {
        while (true)
        {
            FireDue(synchronously: false);
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }
                var next = NextTimerLocked();
                if (_options.Mode == ClockMode.RealTime)
                {
                    if (next is null || _pauseDepth > 0)
                    {
                        Monitor.Wait(_gate);
                        continue;
                    }
                    var wait = next.DueTicks!.Value - ElapsedTicksLocked();
                    if (wait > 0)
                    {
                        Monitor.Wait(_gate, TimeSpan.FromTicks(Math.Min(wait + TimeSpan.TicksPerMillisecond / 2, TimeSpan.TicksPerSecond)));
                    }
                    continue;
                }
                if (next is null)
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                if (next.DueTicks!.Value <= _virtualTicks)
                {
                    continue;
                }
                if (_busy > 0)
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                var quietTicks = _wall.Elapsed.Ticks - _lastActivityWallTicks;
                var windowTicks = _options.QuiescenceWindow.Ticks;
                if (quietTicks < windowTicks)
                {
                    Monitor.Wait(_gate, TimeSpan.FromTicks(windowTicks - quietTicks + TimeSpan.TicksPerMillisecond / 4));
                    continue;
                }
            }
            // Probes may do I/O (ioctl on the pty): outside the lock.
            if (AnyProbeBusy())
            {
                lock (_gate)
                {
                    NoteActivityLocked();
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(1));
                }
                continue;
            }
            lock (_gate)
            {
                var quietTicks = _wall.Elapsed.Ticks - _lastActivityWallTicks;
                var next = NextTimerLocked();
                if (_busy == 0 && next is not null && quietTicks >= _options.QuiescenceWindow.Ticks)
                {
                    _virtualTicks = Math.Max(_virtualTicks, next.DueTicks!.Value);
                }
            }
        }
    }

    private void Register(SimTimer timer)
    {
        lock (_gate)
        {
            if (!_timers.Contains(timer))
            {
                _timers.Add(timer);
            }
        }
    }

    private sealed class Lease(SimulationClock clock, bool isPause) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                if (isPause)
                {
                    clock.EndPause();
                }
                else
                {
                    clock.ReleaseBusy();
                }
            }
        }
    }

    private sealed class ProbeRegistration(SimulationClock clock, Func<bool> probe) : IDisposable
    {
        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._busyProbes.Remove(probe);
                clock.NoteActivityLocked();
            }
        }
    }

    private sealed class SimTimer(SimulationClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _periodTicks;
        private bool _disposed;

        public long? DueTicks { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(dueTime));
            }
            if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(period));
            }
            lock (clock._gate)
            {
                if (_disposed)
                {
                    return false;
                }
                _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                DueTicks = dueTime == Timeout.InfiniteTimeSpan ? null : clock.ElapsedTicksLocked() + dueTime.Ticks;
                Sequence = ++clock._sequence;
                if (DueTicks.HasValue)
                {
                    clock.Register(this);
                }
                else
                {
                    clock._timers.Remove(this);
                }
                clock.NoteActivityLocked();
            }
            return true;
        }

        /// <summary>Called under the clock's lock when the timer fires: schedules the next period or disarms.</summary>
        public void Rearm(long nowTicks)
        {
            if (_periodTicks > 0)
            {
                DueTicks = Math.Max(DueTicks!.Value + _periodTicks, nowTicks);
                Sequence = ++clock._sequence;
            }
            else
            {
                DueTicks = null;
                clock._timers.Remove(this);
            }
        }

        public void Invoke()
        {
            lock (clock._gate)
            {
                if (_disposed)
                {
                    return;
                }
            }
            callback(state);
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                _disposed = true;
                DueTicks = null;
                clock._timers.Remove(this);
                clock.NoteActivityLocked();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
