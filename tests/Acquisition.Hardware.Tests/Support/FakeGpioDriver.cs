using System.Device.Gpio;

namespace Acquisition.Hardware.Tests;

/// <summary>
/// A minimal in-memory GpioDriver for unit tests of debounce and LED timing on a FakeTimeProvider. Integration tests
/// use the simulator's GpioDriver instead.
/// </summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    private readonly Dictionary<int, PinValue> _values = [];
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, List<PinChangeEventHandler>> _callbacks = [];

    public PinValue this[int pin] => _values.GetValueOrDefault(pin, PinValue.Low);

    /// <summary>Drives an input as the outside world would, raising edge callbacks.</summary>
    public void Set(int pin, PinValue value)
    {
        var old = this[pin];
        _values[pin] = value;
        if (old == value)
        {
            return;
        }
        var type = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
        foreach (var cb in _callbacks.GetValueOrDefault(pin, []).ToList())
        {
            cb(this, new PinValueChangedEventArgs(type, pin));
        }
    }

    protected override int PinCount => 64;

    protected override void OpenPin(int pinNumber) => _modes[pinNumber] = PinMode.Input;

    protected override void ClosePin(int pinNumber) => _modes.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes.GetValueOrDefault(pinNumber, PinMode.Input);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => this[pinNumber];

    protected override void Write(int pinNumber, PinValue value) => _values[pinNumber] = value;

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        if (!_callbacks.TryGetValue(pinNumber, out var list))
        {
            _callbacks[pinNumber] = list = [];
        }
        list.Add(callback);
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.GetValueOrDefault(pinNumber)?.Remove(callback);
}
