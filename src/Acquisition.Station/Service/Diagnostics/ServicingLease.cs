using Acquisition.Core.Station;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>
/// Holds the station in <see cref="StationState.Servicing"/> for one diagnostic. The state machine is the single guard
/// that captures and diagnostics share: a capture starts only from Ready (the capture sequence moves Ready to
/// Capturing in one step), a diagnostic only from Ready or Fault, and Servicing never goes to Capturing. So a capture
/// from the button, the page or the socket is refused while a diagnostic runs, with the reason recorded here ("a
/// self-test started by alice is running; wait for it to finish"), and a second diagnostic is refused the same way.
/// Disposing returns the station to the state it was taken from, unless something else (a stop) moved it meanwhile.
/// </summary>
public sealed class ServicingLease : IDisposable
{
    private readonly StationStateMachine _machine;
    private readonly StationStateChange _before;
    private readonly string _activity;
    private bool _released;
    private string? _faultCleared;

    private ServicingLease(StationStateMachine machine, StationStateChange before, string activity)
    {
        _machine = machine;
        _before = before;
        _activity = activity;
    }

    /// <summary>
    /// Takes the station for <paramref name="activity"/> ("self-test") on behalf of <paramref name="user"/>, or answers
    /// the problem that says what holds it.
    /// </summary>
    public static ServicingLease? TryTake(StationStateMachine machine, string activity, string user, out IResult? refusal)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentException.ThrowIfNullOrEmpty(activity);
        var article = "aeiou".Contains(char.ToLowerInvariant(activity[0]), StringComparison.Ordinal) ? "an" : "a";
        var reason = $"{article} {activity} started by {user} is running; wait for it to finish";
        // Fault is allowed: diagnosing a faulted station is what diagnostics are for; it stays faulted afterwards.
        foreach (var from in new[] { StationState.Ready, StationState.Fault })
        {
            var before = machine.LastChange;
            if (before.To == from && machine.TryTransition(from, StationState.Servicing, reason, out _))
            {
                refusal = null;
                return new ServicingLease(machine, before, activity);
            }
        }
        refusal = Refusal(machine.LastChange);
        return null;
    }

    /// <summary>The problem answered when the station is held by <paramref name="holding"/> (not Ready or Fault).</summary>
    public static IResult Refusal(StationStateChange holding)
    {
        ArgumentNullException.ThrowIfNull(holding);
        return holding.To switch
        {
            StationState.Capturing => Results.Problem(
                "A capture is running; the camera, lights and stage belong to it until it ends. Wait for it, or abort it (POST /capture/abort).",
                statusCode: StatusCodes.Status409Conflict, title: "Capture running"),
            StationState.Servicing => Results.Problem(
                $"Another diagnostic holds the camera, lights and stage: {holding.Reason}, then retry.",
                statusCode: StatusCodes.Status409Conflict, title: "Diagnostic running"),
            StationState.Homing => Results.Problem(
                "The stage is homing; wait until the station is Ready (acq status) and retry.",
                statusCode: StatusCodes.Status409Conflict, title: "Homing"),
            _ => Results.Problem(
                $"The station is {holding.To} ({holding.Reason}); the hardware is not available. Retry when acq status shows Ready.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Hardware not available"),
        };
    }

    /// <summary>
    /// What this activity did re-establishes what a fault lost (a completed homing: the position is known again), so the
    /// release goes to Ready even when the lease was taken from Fault. Without it a faulted station stayed faulted
    /// until the daemon restarted, whatever the service engineer did.
    /// </summary>
    public void ClearsFault(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        _faultCleared = reason;
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }
        _released = true;
        var (to, reason) = _before.To == StationState.Fault
            ? _faultCleared is { } cleared
                ? (StationState.Ready, $"{cleared} (was Fault: {_before.Reason})")
                : (StationState.Fault, _before.Reason) // still faulted: a diagnostic does not clear the fault, homing does
            : (_before.To, $"{_activity} finished");
        _machine.TryTransition(StationState.Servicing, to, reason, out _);
    }
}
