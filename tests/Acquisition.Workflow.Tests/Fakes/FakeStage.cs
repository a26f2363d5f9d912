using Acquisition.Core.Hardware;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Tests.Fakes;

/// <summary>A stage that moves instantly and records every call, with hooks to fail a chosen move.</summary>
internal sealed class FakeStage : IStage
{
    private readonly TimeProvider _time;

    public FakeStage(TimeProvider time, bool homed = true)
    {
        _time = time;
        Status = new StageStatus(StageMotionState.Idle, StagePosition.Origin, homed, string.Empty, time.GetUtcNow());
    }

    public StageStatus Status { get; private set; }
    public List<string> Calls { get; } = [];
    public List<double> ZTargets { get; } = [];
    public int MoveCount { get; private set; }

    /// <summary>Called before each move with the 1-based move number; throw from it to fail that move.</summary>
    public Action<int>? BeforeMove { get; set; }

    public event EventHandler<StageStatus>? StatusChanged;

    public (Micrometres Min, Micrometres Max) TravelOf(Axis axis) => (new(-50000), new(50000));

    public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task HomeAsync(CancellationToken cancellationToken)
    {
        Calls.Add("home");
        Set(StagePosition.Origin, homed: true);
        return Task.CompletedTask;
    }

    public Task MoveToAsync(StagePosition target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BeforeMove?.Invoke(++MoveCount);
        Calls.Add($"move {target}");
        Set(target, Status.IsHomed);
        return Task.CompletedTask;
    }

    public Task MoveZFromBelowAsync(Micrometres z, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BeforeMove?.Invoke(++MoveCount);
        Calls.Add($"z {z.Value:0.###}");
        ZTargets.Add(z.Value);
        Set(Status.Position with { Z = z }, Status.IsHomed);
        return Task.CompletedTask;
    }

    public Task JogAsync(Axis axis, Micrometres distance, double feedMillimetresPerMinute, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CancelJogAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Set: FeedHoldAsync throws before returning a task, as the GRBL driver does when its port is gone.</summary>
    public string? FeedHoldThrows { get; set; }

    public Task FeedHoldAsync(CancellationToken cancellationToken)
    {
        Calls.Add("hold");
        if (FeedHoldThrows is { } message)
        {
            throw new HardwareFaultException(message);
        }
        return Task.CompletedTask;
    }

    public Task ResumeAsync(CancellationToken cancellationToken)
    {
        Calls.Add("resume");
        return Task.CompletedTask;
    }

    public Task EmergencyStopAsync(CancellationToken cancellationToken)
    {
        Calls.Add("estop");
        Set(Status.Position, homed: false);
        return Task.CompletedTask;
    }

    public Task<StageStatus> QueryStatusAsync(CancellationToken cancellationToken) => Task.FromResult(Status);

    private void Set(StagePosition position, bool homed)
    {
        Status = new StageStatus(StageMotionState.Idle, position, homed, string.Empty, _time.GetUtcNow());
        StatusChanged?.Invoke(this, Status);
    }
}
