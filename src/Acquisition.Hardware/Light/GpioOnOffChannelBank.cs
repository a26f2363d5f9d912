using System.Device.Gpio;

namespace Acquisition.Hardware.Light;

/// <summary>
/// Ring-light channels switched on/off by GPIO pins (no dimming): any intensity above zero is on. DC light has no
/// ripple, so <see cref="PwmPeriod"/> is zero.
/// </summary>
public sealed class GpioOnOffChannelBank : ILightChannelBank
{
    private readonly GpioController _gpio;
    private readonly IReadOnlyList<int> _pins;
    private readonly bool _activeHigh;

    public GpioOnOffChannelBank(GpioController gpio, IReadOnlyList<int> pins, bool activeHigh = true)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(pins);
        _gpio = gpio;
        _pins = pins;
        _activeHigh = activeHigh;
        foreach (var pin in pins)
        {
            _gpio.OpenPin(pin, PinMode.Output, Off);
        }
    }

    private PinValue Off => _activeHigh ? PinValue.Low : PinValue.High;

    private PinValue On => _activeHigh ? PinValue.High : PinValue.Low;

    public int ChannelCount => _pins.Count;

    public TimeSpan PwmPeriod => TimeSpan.Zero;

    public void SetDuty(int channel, double duty) => _gpio.Write(_pins[channel], duty > 0 ? On : Off);

    public void AllOff()
    {
        foreach (var pin in _pins)
        {
            _gpio.Write(pin, Off);
        }
    }

    public void Dispose()
    {
        AllOff();
    }
}
