using Acquisition.Core.Hardware;

namespace Acquisition.Station.Hardware;

/// <summary>An in-memory ring light for the "fake" profile.</summary>
public sealed class FakeRingLight(int segmentCount) : IRingLight
{
    private volatile LightingState _current = LightingState.AllOff(segmentCount);

    public int SegmentCount => segmentCount;

    public LightingState Current => _current;

    public TimeSpan PwmPeriod => TimeSpan.Zero;

    public Task SetAsync(LightingState state, CancellationToken cancellationToken)
    {
        if (state.Segments.Length != segmentCount)
        {
            throw new ArgumentException($"Expected {segmentCount} segments, got {state.Segments.Length}.", nameof(state));
        }
        _current = state;
        return Task.CompletedTask;
    }

    public Task AllOffAsync(CancellationToken cancellationToken)
    {
        _current = LightingState.AllOff(segmentCount);
        return Task.CompletedTask;
    }
}
