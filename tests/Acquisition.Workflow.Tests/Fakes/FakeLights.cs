using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Tests.Fakes;

internal sealed class FakeLights : IRingLight
{
    public int SegmentCount => 8;
    public LightingState Current { get; private set; } = LightingState.AllOff(8);
    public TimeSpan PwmPeriod { get; set; } = TimeSpan.Zero;
    public List<LightingState> History { get; } = [];
    public int AllOffCount { get; private set; }

    public Task SetAsync(LightingState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Current = state;
        History.Add(state);
        return Task.CompletedTask;
    }

    public Task AllOffAsync(CancellationToken cancellationToken)
    {
        AllOffCount++;
        Current = LightingState.AllOff(SegmentCount);
        return Task.CompletedTask;
    }
}
