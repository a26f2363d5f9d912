using System.Device.Gpio;

namespace Acquisition.Hardware.Panel;

/// <summary>
/// One GPIO input, debounced on the injected clock: every raw edge restarts a timer, and only when the pin has been
/// quiet for the debounce time is its level read and, if changed, reported.
/// </summary>
internal sealed class DebouncedInput : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinValue _activeLevel;
    private readonly TimeSpan _debounce;
    private readonly Action<bool> _changed;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private readonly PinChangeEventHandler _handler;
    private bool _active;

    public DebouncedInput(GpioController gpio, int pin, bool activeLow, TimeSpan debounce, TimeProvider clock, Action<bool> changed)
    {
        _gpio = gpio;
        _pin = pin;
        _activeLevel = activeLow ? PinValue.Low : PinValue.High;
        _debounce = debounce;
        _changed = changed;
        if (!gpio.IsPinOpen(pin))
        {
            var mode = activeLow && gpio.IsPinModeSupported(pin, PinMode.InputPullUp) ? PinMode.InputPullUp
                : !activeLow && gpio.IsPinModeSupported(pin, PinMode.InputPullDown) ? PinMode.InputPullDown
                : PinMode.Input;
            gpio.OpenPin(pin, mode);
        }
        _active = gpio.Read(pin) == _activeLevel;
        _timer = clock.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _handler = (_, _) => OnEdge();
        gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, _handler);
    }

    public bool Active
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    private void OnEdge()
    {
        if (_debounce <= TimeSpan.Zero)
        {
            Settle();
            return;
        }
        _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void Settle()
    {
        bool changed;
        bool now;
        lock (_gate)
        {
            now = _gpio.Read(_pin) == _activeLevel;
            changed = now != _active;
            _active = now;
        }
        if (changed)
        {
            _changed(now);
        }
    }

    public void Dispose()
    {
        _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, _handler);
        _timer.Dispose();
    }
}
