using System.Device.Pwm;
using Acquisition.HardwareSim.Clock;

namespace Acquisition.HardwareSim.Pwm;

/// <summary>A native PWM channel (a board's hardware PWM), with its output recorded on the simulation clock.</summary>
public sealed class SimPwmChannel : PwmChannel
{
    private readonly object _gate = new();
    private readonly SimulationClock _clock;
    private readonly List<(long Ticks, PwmOutput Output)> _history = [];
    private int _frequency;
    private double _duty;
    private bool _running;

    public SimPwmChannel(SimulationClock clock, int frequencyHz = 400, double dutyCycle = 0)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _frequency = frequencyHz;
        _duty = dutyCycle;
        Record();
    }

    public override int Frequency
    {
        get
        {
            lock (_gate)
            {
                return _frequency;
            }
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            lock (_gate)
            {
                _frequency = value;
                Record();
            }
        }
    }

    public override double DutyCycle
    {
        get
        {
            lock (_gate)
            {
                return _duty;
            }
        }
        set
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Duty cycle must be 0–1.");
            }
            lock (_gate)
            {
                _duty = value;
                Record();
            }
        }
    }

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    public override void Start()
    {
        lock (_gate)
        {
            _running = true;
            Record();
        }
    }

    public override void Stop()
    {
        lock (_gate)
        {
            _running = false;
            Record();
        }
    }

    public PwmOutput OutputAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            for (var i = _history.Count - 1; i >= 0; i--)
            {
                if (_history[i].Ticks <= at.UtcTicks)
                {
                    return _history[i].Output;
                }
            }
            return _history[0].Output;
        }
    }

    private void Record()
    {
        var duty = _running ? _duty : 0;
        var output = duty is 0 or 1 ? new PwmOutput(duty, TimeSpan.Zero) : new PwmOutput(duty, TimeSpan.FromSeconds(1.0 / _frequency));
        _history.Add((_clock.GetUtcNow().UtcTicks, output));
        if (_history.Count > 10_000)
        {
            _history.RemoveRange(0, 5_000);
        }
        _clock.NoteActivity();
    }
}
