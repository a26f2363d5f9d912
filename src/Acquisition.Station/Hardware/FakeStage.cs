using Acquisition.Core.Hardware;
using Acquisition.Core.Units;

namespace Acquisition.Station.Hardware;

/// <summary>
/// An in-memory stage for the "fake" profile: every command completes at once and the position follows it
/// exactly. It exists to exercise the host (start, homing, stop, control API), not the drivers.
/// </summary>
public sealed class FakeStage(TimeProvider time) : IStage
{
    private static readonly (Micrometres, Micrometres) Travel = (Micrometres.FromMillimetres(-50), Micrometres.Zero);
    private readonly Lock _gate = new();
    private StageStatus _status = new(StageMotionState.Unknown, StagePosition.Origin, false, "", time.GetUtcNow());

    public StageStatus Status
    {
        get { lock (_gate) { return _status; } }
    }

    public event EventHandler<StageStatus>? StatusChanged;

    public (Micrometres Min, Micrometres Max) TravelOf(Axis axis) => Travel;

    public Task ConnectAsync(CancellationToken cancellationToken) => Set(StageMotionState.Idle, null, homed: false);

    public Task HomeAsync(CancellationToken cancellationToken) => Set(StageMotionState.Idle, StagePosition.Origin, homed: true);

    public Task MoveToAsync(StagePosition target, CancellationToken cancellationToken)
    {
        RequireHomed();
        return Set(StageMotionState.Idle, target, homed: true);
    }

    public Task MoveZFromBelowAsync(Micrometres z, CancellationToken cancellationToken) =>
        MoveToAsync(Status.Position.With(Axis.Z, z), cancellationToken);

    public Task JogAsync(Axis axis, Micrometres distance, double feedMillimetresPerMinute, CancellationToken cancellationToken) =>
        MoveToAsync(Status.Position.With(axis, Status.Position[axis] + distance), cancellationToken);

    public Task CancelJogAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task FeedHoldAsync(CancellationToken cancellationToken) => Set(StageMotionState.Hold, null, Status.IsHomed);

    public Task ResumeAsync(CancellationToken cancellationToken) => Set(StageMotionState.Idle, null, Status.IsHomed);

    public Task EmergencyStopAsync(CancellationToken cancellationToken) => Set(StageMotionState.Alarm, null, homed: false);

    public Task<StageStatus> QueryStatusAsync(CancellationToken cancellationToken) => Task.FromResult(Status);

    private void RequireHomed()
    {
        if (!Status.IsHomed)
        {
            throw new HardwareFaultException("The stage is not homed: home it before moving.", requiresHoming: true);
        }
    }

    private Task Set(StageMotionState state, StagePosition? position, bool homed)
    {
        StageStatus status;
        lock (_gate)
        {
            _status = status = new StageStatus(state, position ?? _status.Position, homed, "", time.GetUtcNow());
        }
        StatusChanged?.Invoke(this, status);
        return Task.CompletedTask;
    }
}
