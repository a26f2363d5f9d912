using Acquisition.Core.Hardware;
using Acquisition.Hardware.Light;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// DC light outputs whose history (on the bench clock) the simulated camera reads back as the emitted light. Stands
/// in for the simulator's PCA9685 until that lands; the real RingLight driver sits on top of it.
/// </summary>
internal sealed class BenchLightBank : ILightChannelBank
{
    private readonly TimeProvider _clock;
    private readonly int _segments;
    private readonly Lock _gate = new();
    private readonly double[] _duty;
    private readonly List<(DateTimeOffset At, LightingState State)> _history = [];

    public BenchLightBank(TimeProvider clock, int segments)
    {
        _clock = clock;
        _segments = segments;
        _duty = new double[segments + 1];
        _history.Add((DateTimeOffset.MinValue, LightingState.AllOff(segments)));
    }

    public int ChannelCount => _segments + 1;

    public TimeSpan PwmPeriod => TimeSpan.Zero;

    public void SetDuty(int channel, double duty)
    {
        lock (_gate)
        {
            _duty[channel] = duty;
            Record();
        }
    }

    public void AllOff()
    {
        lock (_gate)
        {
            Array.Clear(_duty);
            Record();
        }
    }

    public LightingState LightingAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            for (var i = _history.Count - 1; i >= 0; i--)
            {
                if (_history[i].At <= at)
                {
                    return _history[i].State;
                }
            }
            return _history[0].State;
        }
    }

    private void Record()
    {
        var state = new LightingState([.. _duty.Take(_segments)], _duty[_segments]);
        _history.Add((_clock.GetUtcNow(), state));
        if (_history.Count > 4096)
        {
            _history.RemoveRange(0, 2048);
        }
    }

    public void Dispose()
    {
    }
}
