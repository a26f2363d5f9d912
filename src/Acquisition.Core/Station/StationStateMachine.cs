namespace Acquisition.Core.Station;

/// <summary>
/// The station's single source of truth for what it is doing. Components observe it (LEDs, the control API, the
/// technician page) and request transitions; illegal transitions throw so that a logic error cannot, say, start a
/// capture while homing.
/// </summary>
public sealed class StationStateMachine
{
    private static readonly Dictionary<StationState, StationState[]> Allowed = new()
    {
        [StationState.Starting] = [StationState.Homing, StationState.Ready, StationState.Fault, StationState.Stopping],
        [StationState.Homing] = [StationState.Ready, StationState.Fault, StationState.Stopping],
        [StationState.Ready] = [StationState.Homing, StationState.Capturing, StationState.Fault, StationState.Stopping, StationState.Servicing],
        [StationState.Capturing] = [StationState.Ready, StationState.Fault, StationState.Stopping, StationState.Homing],
        [StationState.Fault] = [StationState.Homing, StationState.Ready, StationState.Stopping, StationState.Servicing],
        [StationState.Stopping] = [],
        // Never straight to Capturing: a capture and a diagnostic exclude each other through this table.
        [StationState.Servicing] = [StationState.Ready, StationState.Fault, StationState.Stopping],
    };

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private StationStateChange _last;
    private readonly List<TaskCompletionSource<StationStateChange>> _waiters = [];

    public StationStateMachine(TimeProvider time)
    {
        _time = time;
        _last = new StationStateChange(StationState.Starting, StationState.Starting, "process started", time.GetUtcNow());
    }

    public StationState State
    {
        get { lock (_gate) { return _last.To; } }
    }

    public StationStateChange LastChange
    {
        get { lock (_gate) { return _last; } }
    }

    /// <summary>Raised after every transition, outside the lock.</summary>
    public event EventHandler<StationStateChange>? Changed;

    public bool CanTransition(StationState to)
    {
        lock (_gate) { return Allowed[_last.To].Contains(to); }
    }

    public StationStateChange TransitionTo(StationState to, string reason)
    {
        StationStateChange change;
        List<TaskCompletionSource<StationStateChange>> waiters;
        lock (_gate)
        {
            if (!Allowed[_last.To].Contains(to))
            {
                throw new InvalidOperationException($"Station cannot go from {_last.To} to {to} ({reason}).");
            }
            (change, waiters) = Apply(to, reason);
        }
        Publish(change, waiters);
        return change;
    }

    /// <summary>
    /// Goes to <paramref name="to"/> only if the station is in <paramref name="from"/> now, as one step: two callers
    /// that both saw <paramref name="from"/> (a capture button and a self-test, say) cannot both win. On false,
    /// <paramref name="current"/> is the change that holds the station, whose reason says why.
    /// </summary>
    public bool TryTransition(StationState from, StationState to, string reason, out StationStateChange current)
    {
        List<TaskCompletionSource<StationStateChange>> waiters;
        lock (_gate)
        {
            if (_last.To != from || !Allowed[from].Contains(to))
            {
                current = _last;
                return false;
            }
            (current, waiters) = Apply(to, reason);
        }
        Publish(current, waiters);
        return true;
    }

    private (StationStateChange Change, List<TaskCompletionSource<StationStateChange>> Waiters) Apply(StationState to, string reason)
    {
        var change = new StationStateChange(_last.To, to, reason, _time.GetUtcNow());
        _last = change;
        List<TaskCompletionSource<StationStateChange>> waiters = [.. _waiters];
        _waiters.Clear();
        return (change, waiters);
    }

    private void Publish(StationStateChange change, List<TaskCompletionSource<StationStateChange>> waiters)
    {
        foreach (var w in waiters)
        {
            w.TrySetResult(change);
        }
        Changed?.Invoke(this, change);
    }

    /// <summary>Completes when the station is in <paramref name="state"/> (at once if it already is).</summary>
    public async Task<StationStateChange> WaitForAsync(StationState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<StationStateChange> next;
            lock (_gate)
            {
                if (_last.To == state)
                {
                    return _last;
                }
                var tcs = new TaskCompletionSource<StationStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(tcs);
                next = tcs.Task;
            }
            var change = await next.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (change.To == state)
            {
                return change;
            }
        }
    }
}
