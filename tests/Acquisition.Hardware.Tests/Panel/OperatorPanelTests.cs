using System.Device.Gpio;
using Acquisition.Core.Hardware;
using Acquisition.Hardware.Panel;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Hardware.Tests.Panel;

public class OperatorPanelTests : IDisposable
{
    private readonly FakeGpioDriver _driver = new();
    private readonly GpioController _gpio;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly PinMap _pins = new();
    private readonly OperatorPanel _panel;
    private readonly List<PanelEventKind> _events = [];

    public OperatorPanelTests()
    {
        // Idle levels: button released (pull-up high), door closed (low), no casing (low).
        _driver.Set(_pins.CaptureButton, PinValue.High);
        _driver.Set(_pins.DoorInterlock, PinValue.Low);
        _gpio = new GpioController(_driver);
        _panel = new OperatorPanel(_gpio, _pins, new OperatorPanelOptions(), _clock);
        _panel.EventRaised += (_, e) => _events.Add(e.Kind);
    }

    [Fact]
    public void A_bouncing_short_press_is_one_capture_on_release()
    {
        for (var i = 0; i < 5; i++)
        {
            _driver.Set(_pins.CaptureButton, PinValue.Low);
            _clock.Advance(TimeSpan.FromMilliseconds(3));
            _driver.Set(_pins.CaptureButton, PinValue.High);
            _clock.Advance(TimeSpan.FromMilliseconds(3));
        }
        _driver.Set(_pins.CaptureButton, PinValue.Low);
        _clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.True(_panel.ButtonPressed);
        Assert.Empty(_events);
        _driver.Set(_pins.CaptureButton, PinValue.High);
        _clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal([PanelEventKind.CapturePressed], _events);
    }

    [Fact]
    public void A_glitch_shorter_than_the_debounce_time_is_ignored()
    {
        _driver.Set(_pins.CaptureButton, PinValue.Low);
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        _driver.Set(_pins.CaptureButton, PinValue.High);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Empty(_events);
    }

    [Fact]
    public void A_long_press_aborts_at_once_and_its_release_does_not_capture()
    {
        _driver.Set(_pins.CaptureButton, PinValue.Low);
        _clock.Advance(TimeSpan.FromMilliseconds(30));
        _clock.Advance(TimeSpan.FromMilliseconds(1400));
        Assert.Empty(_events);
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal([PanelEventKind.AbortRequested], _events);
        _driver.Set(_pins.CaptureButton, PinValue.High);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal([PanelEventKind.AbortRequested], _events);
    }

    [Fact]
    public void Door_and_casing_changes_are_debounced_events()
    {
        Assert.True(_panel.DoorClosed);
        Assert.False(_panel.CasingPresent);
        _driver.Set(_pins.DoorInterlock, PinValue.High);
        _clock.Advance(TimeSpan.FromMilliseconds(31));
        _driver.Set(_pins.CasingPresent, PinValue.High);
        _clock.Advance(TimeSpan.FromMilliseconds(31));
        Assert.False(_panel.DoorClosed);
        Assert.True(_panel.CasingPresent);
        Assert.Equal([PanelEventKind.DoorOpened, PanelEventKind.CasingInserted], _events);
    }

    [Fact]
    public void Leds_show_ready_steady_busy_slow_and_fault_fast()
    {
        _panel.ShowIndicator(StatusIndicator.Ready);
        Assert.Equal(PinValue.High, _driver[_pins.LedReady]);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(PinValue.High, _driver[_pins.LedReady]);

        _panel.ShowIndicator(StatusIndicator.Busy);
        Assert.Equal(PinValue.Low, _driver[_pins.LedReady]);
        var busy = Sample(_pins.LedBusy, TimeSpan.FromMilliseconds(250), 8);
        Assert.Equal([true, true, false, false, true, true, false, false], busy);

        _panel.ShowIndicator(StatusIndicator.Fault);
        Assert.Equal(PinValue.Low, _driver[_pins.LedBusy]);
        var fault = Sample(_pins.LedFault, TimeSpan.FromMilliseconds(125), 4);
        Assert.Equal([true, false, true, false], fault);

        _panel.ShowIndicator(StatusIndicator.Off);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.All(new[] { _pins.LedReady, _pins.LedBusy, _pins.LedFault }, p => Assert.Equal(PinValue.Low, _driver[p]));
    }

    [Fact]
    public void Motors_start_disabled_and_follow_the_enable_output()
    {
        Assert.False(_panel.MotorsEnabled);
        Assert.Equal(PinValue.Low, _driver[_pins.MotorEnable]);
        _panel.SetMotorsEnabled(true);
        Assert.Equal(PinValue.High, _driver[_pins.MotorEnable]);
        Assert.True(_panel.MotorsEnabled);
    }

    private bool[] Sample(int pin, TimeSpan step, int count)
    {
        var result = new bool[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = _driver[pin] == PinValue.High;
            _clock.Advance(step);
        }
        return result;
    }

    public void Dispose()
    {
        _panel.Dispose();
        _gpio.Dispose();
    }
}
