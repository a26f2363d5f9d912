using System.Device.Gpio;
using Acquisition.Core.Hardware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Hardware.Panel;

/// <summary>
/// The operator panel on GPIO: a debounced capture button (a short press is released as CapturePressed, holding it
/// past LongPress raises AbortRequested at once), the door interlock mirror, an optional casing sensor, the status
/// LEDs (Ready steady, Busy slow blink, Fault fast blink, driven by the injected clock) and the motor-enable output.
/// </summary>
public sealed class OperatorPanel : IOperatorPanel, IDisposable
{
    private readonly GpioController _gpio;
    private readonly PinMap _pins;
    private readonly OperatorPanelOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly DebouncedInput _button;
    private readonly DebouncedInput _door;
    private readonly DebouncedInput? _casing;
    private readonly ITimer _longPress;
    private readonly ITimer _blink;
    private bool _abortRaisedForThisPress;
    private bool _blinkOn;
    private StatusIndicator _indicator = StatusIndicator.Off;
    private bool _motorsEnabled;

    public OperatorPanel(GpioController gpio, PinMap pins, OperatorPanelOptions options, TimeProvider clock, ILogger<OperatorPanel>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid operator panel options:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
        _gpio = gpio;
        _pins = pins;
        _options = options;
        _clock = clock;
        _log = (ILogger?)logger ?? NullLogger.Instance;

        foreach (var led in new[] { pins.LedReady, pins.LedBusy, pins.LedFault })
        {
            OpenOutput(led, Level(false, options.LedsActiveHigh));
        }
        // Motors stay off until the station enables them for homing.
        OpenOutput(pins.MotorEnable, Level(false, options.MotorEnableActiveHigh));

        _longPress = clock.CreateTimer(_ => OnLongPress(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _blink = clock.CreateTimer(_ => OnBlink(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _button = new DebouncedInput(gpio, pins.CaptureButton, pins.ButtonActiveLow, options.Debounce, clock, OnButton);
        _door = new DebouncedInput(gpio, pins.DoorInterlock, pins.DoorClosedLow, options.Debounce, clock,
            closed => Raise(closed ? PanelEventKind.DoorClosed : PanelEventKind.DoorOpened));
        if (pins.HasCasingSensor)
        {
            _casing = new DebouncedInput(gpio, pins.CasingPresent, !options.CasingPresentHigh, options.Debounce, clock,
                present => Raise(present ? PanelEventKind.CasingInserted : PanelEventKind.CasingRemoved));
        }
    }

    public event EventHandler<PanelEvent>? EventRaised;

    /// <summary>Debounced: "Active" of the door input means closed (see PinMap.DoorClosedLow).</summary>
    public bool DoorClosed => _door.Active;

    public bool? CasingPresent => _casing?.Active;

    public bool ButtonPressed => _button.Active;

    public StatusIndicator Indicator
    {
        get
        {
            lock (_gate)
            {
                return _indicator;
            }
        }
    }

    public bool MotorsEnabled
    {
        get
        {
            lock (_gate)
            {
                return _motorsEnabled;
            }
        }
    }

    public void ShowIndicator(StatusIndicator indicator)
    {
        lock (_gate)
        {
            _indicator = indicator;
            _blinkOn = true;
            ApplyLeds();
            var half = indicator switch
            {
                StatusIndicator.Busy => _options.BusyBlinkHalfPeriod,
                StatusIndicator.Fault => _options.FaultBlinkHalfPeriod,
                _ => Timeout.InfiniteTimeSpan,
            };
            _blink.Change(half, half);
        }
    }

    public void SetMotorsEnabled(bool enabled)
    {
        lock (_gate)
        {
            _gpio.Write(_pins.MotorEnable, Level(enabled, _options.MotorEnableActiveHigh));
            _motorsEnabled = enabled;
        }
        _log.LogInformation("Stepper motors {State}", enabled ? "enabled" : "disabled");
    }

    private void OnBlink()
    {
        lock (_gate)
        {
            _blinkOn = !_blinkOn;
            ApplyLeds();
        }
    }

    private void ApplyLeds()
    {
        var ready = _indicator == StatusIndicator.Ready;
        var busy = _indicator == StatusIndicator.Busy && _blinkOn;
        var fault = _indicator == StatusIndicator.Fault && _blinkOn;
        _gpio.Write(_pins.LedReady, Level(ready, _options.LedsActiveHigh));
        _gpio.Write(_pins.LedBusy, Level(busy, _options.LedsActiveHigh));
        _gpio.Write(_pins.LedFault, Level(fault, _options.LedsActiveHigh));
    }

    private void OnButton(bool pressed)
    {
        if (pressed)
        {
            lock (_gate)
            {
                _abortRaisedForThisPress = false;
            }
            _longPress.Change(_options.LongPress, Timeout.InfiniteTimeSpan);
            return;
        }
        _longPress.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        bool wasLong;
        lock (_gate)
        {
            wasLong = _abortRaisedForThisPress;
        }
        if (!wasLong)
        {
            Raise(PanelEventKind.CapturePressed);
        }
    }

    private void OnLongPress()
    {
        lock (_gate)
        {
            if (_abortRaisedForThisPress || !_button.Active)
            {
                return;
            }
            _abortRaisedForThisPress = true;
        }
        Raise(PanelEventKind.AbortRequested);
    }

    private void Raise(PanelEventKind kind)
    {
        var e = new PanelEvent(kind, _clock.GetUtcNow());
        _log.LogInformation("Panel: {Event}", kind);
        EventRaised?.Invoke(this, e);
    }

    private void OpenOutput(int pin, PinValue initial)
    {
        if (!_gpio.IsPinOpen(pin))
        {
            _gpio.OpenPin(pin, PinMode.Output, initial);
        }
        else
        {
            _gpio.SetPinMode(pin, PinMode.Output);
            _gpio.Write(pin, initial);
        }
    }

    private static PinValue Level(bool on, bool activeHigh) => on == activeHigh ? PinValue.High : PinValue.Low;

    public void Dispose()
    {
        _button.Dispose();
        _door.Dispose();
        _casing?.Dispose();
        _longPress.Dispose();
        _blink.Dispose();
        lock (_gate)
        {
            _indicator = StatusIndicator.Off;
            ApplyLeds();
        }
    }
}
