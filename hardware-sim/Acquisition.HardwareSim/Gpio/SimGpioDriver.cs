using System.Device.Gpio;
using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Clock;

namespace Acquisition.HardwareSim.Gpio;

/// <summary>
/// A GPIO driver for <c>new GpioController(driver)</c> that carries the station's pin map: the bench drives the
/// inputs (capture button, door interlock, casing sensor) at their electrical levels, and records the outputs
/// (LEDs, motor enable) with simulation-clock timestamps. Edge callbacks, WaitForEvent and WaitForEventAsync work.
/// </summary>
public sealed class SimGpioDriver : GpioDriver
{
    private const int BcmPinCount = 28;

    private readonly object _gate = new();
    private readonly SimulationClock _clock;
    private readonly Dictionary<int, SimPin> _pins = [];
    private readonly List<(int Pin, PinValue Value, DateTimeOffset At)> _outputHistory = [];

    public SimGpioDriver(SimulationClock clock, PinMap pinMap)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(pinMap);
        _clock = clock;
        PinMap = pinMap;
        for (var pin = 0; pin < BcmPinCount; pin++)
        {
            _pins[pin] = new SimPin();
        }
        // Idle levels of the wired inputs: button released, door closed, no casing.
        _pins[pinMap.CaptureButton].Level = pinMap.ButtonActiveLow ? PinValue.High : PinValue.Low;
        _pins[pinMap.DoorInterlock].Level = pinMap.DoorClosedLow ? PinValue.Low : PinValue.High;
        _pins[pinMap.CasingPresent].Level = PinValue.Low;
    }

    public PinMap PinMap { get; }

    /// <summary>Raised (outside the lock) when the station writes an output pin.</summary>
    public event Action<int, PinValue>? OutputWritten;

    protected override int PinCount => BcmPinCount;

    /// <summary>The electrical level of a pin now: what an input reads, or what was last written to an output.</summary>
    public PinValue LevelOf(int pin)
    {
        lock (_gate)
        {
            return Pin(pin).Level;
        }
    }

    public PinMode? ModeOf(int pin)
    {
        lock (_gate)
        {
            var p = Pin(pin);
            return p.IsOpen ? p.Mode : null;
        }
    }

    /// <summary>Every output write so far, with its simulated time (for LED blink patterns and motor-enable checks).</summary>
    public IReadOnlyList<(int Pin, PinValue Value, DateTimeOffset At)> OutputHistory
    {
        get
        {
            lock (_gate)
            {
                return [.. _outputHistory];
            }
        }
    }

    /// <summary>Sets an input's electrical level as the wiring would; fires edge callbacks and wakes waiters on a change.</summary>
    public void SetInputLevel(int pin, PinValue level)
    {
        List<(PinEventTypes Types, PinChangeEventHandler Handler)> callbacks;
        PinEventTypes edge;
        lock (_gate)
        {
            var p = Pin(pin);
            if (p.Level == level)
            {
                return;
            }
            p.Level = level;
            edge = level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            callbacks = [.. p.Callbacks.Where(c => (c.Types & edge) != 0)];
            foreach (var waiter in p.Waiters.Where(w => (w.Types & edge) != 0).ToList())
            {
                p.Waiters.Remove(waiter);
                waiter.Completion.TrySetResult(new WaitForEventResult { EventTypes = edge, TimedOut = false });
            }
        }
        _clock.NoteActivity();
        var args = new PinValueChangedEventArgs(edge, pin);
        foreach (var (_, handler) in callbacks)
        {
            handler(this, args);
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            Pin(pinNumber).IsOpen = true;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            var p = Pin(pinNumber);
            p.IsOpen = false;
            p.Callbacks.Clear();
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            Pin(pinNumber).Mode = mode;
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return Pin(pinNumber).Mode;
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            return Pin(pinNumber).Level;
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            var p = Pin(pinNumber);
            if (p.Mode != PinMode.Output)
            {
                throw new InvalidOperationException(
                    $"Simulated GPIO {pinNumber} is an input ({p.Mode}); the station may only write pins it set to Output.");
            }
            p.Level = value;
            _outputHistory.Add((pinNumber, value, _clock.GetUtcNow()));
        }
        OutputWritten?.Invoke(pinNumber, value);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        var task = WaitForEventAsync(pinNumber, eventTypes, cancellationToken).AsTask();
        return task.GetAwaiter().GetResult();
    }

    protected override ValueTask<WaitForEventResult> WaitForEventAsync(int pinNumber, PinEventTypes eventTypes,
        CancellationToken cancellationToken)
    {
        var waiter = new Waiter(eventTypes);
        lock (_gate)
        {
            Pin(pinNumber).Waiters.Add(waiter);
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    Pin(pinNumber).Waiters.Remove(waiter);
                }
                waiter.Completion.TrySetResult(new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true });
            });
            _ = waiter.Completion.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return new ValueTask<WaitForEventResult>(waiter.Completion.Task);
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Pin(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Pin(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
        }
    }

    private SimPin Pin(int pin)
    {
        if (!_pins.TryGetValue(pin, out var p))
        {
            throw new ArgumentOutOfRangeException(nameof(pin), pin, $"The simulated header has BCM GPIO 0–{BcmPinCount - 1}.");
        }
        return p;
    }

    private sealed class SimPin
    {
        public bool IsOpen { get; set; }
        public PinMode Mode { get; set; } = PinMode.Input;
        public PinValue Level { get; set; } = PinValue.Low;
        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];
        public List<Waiter> Waiters { get; } = [];
    }

    private sealed class Waiter(PinEventTypes types)
    {
        public PinEventTypes Types { get; } = types;
        public TaskCompletionSource<WaitForEventResult> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
