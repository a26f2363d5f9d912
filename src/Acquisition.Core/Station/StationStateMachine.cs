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
        [StationState.Ready] = [StationState.Homing, StationState.Capturing, StationState.Fault, StationState.Stopping],
        [StationState.Capturing] = [StationState.Ready, StationState.Fault, StationState.Stopping, StationState.Homing],
        [StationState.Fault] = [StationState.Homing, StationState.Ready, StationState.Stopping],
        [StationState.Stopping] = [],
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
            change = new StationStateChange(_last.To, to, reason, _time.GetUtcNow());
            _last = change;
            waiters = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var w in waiters)
        {
            w.TrySetResult(change);
        }
        Changed?.Invoke(this, change);
        return change;
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
