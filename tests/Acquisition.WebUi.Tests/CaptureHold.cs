using Acquisition.HardwareSim;
using Acquisition.Workflow.Capture;

namespace Acquisition.WebUi.Tests;

/// <summary>A capture held at one progress event with the simulator's clock still; see <see cref="SimStationFixture.HoldAt"/>.</summary>
public sealed class CaptureHold : IDisposable
{
    private readonly CaptureSequence _sequence;
    private readonly SimulatedBench _bench;
    private readonly Func<CaptureProgress, bool> _match;
    private readonly TimeSpan _guard;
    private readonly ManualResetEventSlim _released = new();
    private readonly TaskCompletionSource<CaptureProgress> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taken;

    public CaptureHold(CaptureSequence sequence, SimulatedBench bench, Func<CaptureProgress, bool> match, TimeSpan guard)
    {
        _sequence = sequence;
        _bench = bench;
        _match = match;
        _guard = guard;
        _sequence.Progress += OnProgress;
    }

    /// <summary>The event the capture is held at.</summary>
    public Task<CaptureProgress> Reached => _reached.Task.WaitAsync(SimStationFixture.CaptureGuard);

    public void Release() => _released.Set();

    private void OnProgress(object? sender, CaptureProgress p)
    {
        if (!_match(p) || Interlocked.Exchange(ref _taken, 1) == 1)
        {
            return;
        }
        _sequence.Progress -= OnProgress;
        using (_bench.SimClock.Busy())
        {
            _reached.TrySetResult(p);
            // A failure guard only: a test that fails before releasing must not hold the station forever.
            _released.Wait(_guard);
        }
    }

    public void Dispose()
    {
        _sequence.Progress -= OnProgress;
        _released.Set();
    }
}
