using System.Device.Gpio;
using Acquisition.Hardware.Light;
using Acquisition.HardwareSim.Pwm;

namespace Acquisition.HardwareSim.Tests;

public sealed class GpioAndLightTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Button_edges_reach_callbacks_and_wait_for_event_through_a_real_gpio_controller()
    {
        using var bench = new SimulatedBench();
        using var gpio = new GpioController(bench.Gpio);
        var pin = bench.Pins.CaptureButton;
        gpio.OpenPin(pin, PinMode.InputPullUp);
        Assert.Equal(PinValue.High, gpio.Read(pin)); // released, active-low wiring
        var falling = new TaskCompletionSource<PinEventTypes>(TaskCreationOptions.RunContinuationsAsynchronously);
        gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Falling, (_, e) => falling.TrySetResult(e.ChangeType));
        bench.PressButton();
        Assert.Equal(PinEventTypes.Falling, await falling.Task.WaitAsync(Guard));
        Assert.Equal(PinValue.Low, gpio.Read(pin));

        var rising = gpio.WaitForEventAsync(pin, PinEventTypes.Rising, CancellationToken.None).AsTask();
        Assert.False(rising.IsCompleted);
        bench.ReleaseButton();
        var result = await rising.WaitAsync(Guard);
        Assert.Equal(PinEventTypes.Rising, result.EventTypes);
        Assert.False(result.TimedOut);

        var timedOut = gpio.WaitForEvent(pin, PinEventTypes.Falling, new CancellationToken(canceled: true));
        Assert.True(timedOut.TimedOut);
    }

    [Fact]
    public async Task Contact_bounce_chatters_on_the_clock_and_settles_pressed()
    {
        using var bench = new SimulatedBench(new SimulatedBenchOptions { ButtonBounceEdges = 3 });
        using var gpio = new GpioController(bench.Gpio);
        var pin = bench.Pins.CaptureButton;
        gpio.OpenPin(pin, PinMode.InputPullUp);
        var edges = new List<PinEventTypes>();
        // The time of the last edge is read in its callback, which runs under the clock's timer lease: once the test
        // resumes, the clock may already have jumped on to the bench's next timer (GRBL's $1 step idle delay).
        var all = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Falling | PinEventTypes.Rising, (_, e) =>
        {
            lock (edges)
            {
                edges.Add(e.ChangeType);
                if (edges.Count == 7)
                {
                    all.TrySetResult(bench.SimClock.Elapsed);
                }
            }
        });
        bench.PressButton();
        var settledAt = await all.Task.WaitAsync(Guard);
        Assert.Equal([PinEventTypes.Falling, PinEventTypes.Rising, PinEventTypes.Falling, PinEventTypes.Rising,
            PinEventTypes.Falling, PinEventTypes.Rising, PinEventTypes.Falling], edges);
        Assert.Equal(PinValue.Low, gpio.Read(pin));
        Assert.Equal(TimeSpan.FromMilliseconds(3), settledAt);
    }

    [Fact]
    public async Task Door_casing_leds_and_motor_enable_through_gpio_and_door_mirrored_on_grbl()
    {
        using var bench = new SimulatedBench();
        using var gpio = new GpioController(bench.Gpio);
        var p = bench.Pins;
        gpio.OpenPin(p.DoorInterlock, PinMode.Input);
        gpio.OpenPin(p.CasingPresent, PinMode.Input);
        gpio.OpenPin(p.LedReady, PinMode.Output);
        gpio.OpenPin(p.MotorEnable, PinMode.Output);
        Assert.Equal(PinValue.Low, gpio.Read(p.DoorInterlock)); // closed reads low
        var opened = gpio.WaitForEventAsync(p.DoorInterlock, PinEventTypes.Rising, CancellationToken.None).AsTask();
        bench.OpenDoor();
        await opened.WaitAsync(Guard);
        Assert.Equal(PinValue.High, gpio.Read(p.DoorInterlock));
        Assert.True(bench.Grbl.DoorOpen);
        Assert.Contains("Pn:D", bench.Grbl.StatusNow());
        bench.InsertCasing();
        Assert.Equal(PinValue.High, gpio.Read(p.CasingPresent));
        gpio.Write(p.LedReady, PinValue.High);
        gpio.Write(p.MotorEnable, PinValue.High);
        Assert.True(bench.OutputHigh(p.LedReady));
        Assert.Contains(bench.Gpio.OutputHistory, h => h.Pin == p.MotorEnable && h.Value == PinValue.High);
    }

    [Fact]
    public void Pca9685_register_model_sleep_prescale_auto_increment_and_full_on_off()
    {
        using var bench = new SimulatedBench();
        var chip = bench.Pca9685;
        Assert.Equal(0x11, chip.RegisterValue(Pca9685Registers.Mode1));
        Assert.Equal(0x1E, chip.RegisterValue(Pca9685Registers.PreScale));
        Assert.True(bench.LightingAt(bench.SimClock.GetUtcNow()).IsOff);

        chip.Write([Pca9685Registers.Mode1, 0x00]); // wake, no auto-increment
        chip.Write([Pca9685Registers.PreScale, 5]); // ignored while awake
        Assert.Equal(0x1E, chip.RegisterValue(Pca9685Registers.PreScale));
        chip.Write([Pca9685Registers.Mode1, Pca9685Registers.Mode1Sleep]);
        chip.Write([Pca9685Registers.PreScale, 5]);
        Assert.Equal(25e6 / (4096 * 6), chip.FrequencyHz, 6);
        chip.Write([Pca9685Registers.Mode1, Pca9685Registers.Mode1AutoIncrement]);
        Assert.Equal(Pca9685Registers.Mode1AutoIncrement | Pca9685Registers.Mode1Restart, chip.RegisterValue(Pca9685Registers.Mode1));

        // Channel 0: on at 0, off at 2048 (50 %), one auto-incremented write.
        chip.Write([Pca9685Registers.Led0OnL, 0x00, 0x00, 0x00, 0x08]);
        // Channel 8 (coaxial): on at 1024, off at 2048 → 25 %.
        chip.Write([Pca9685Registers.Led0OnL + 4 * 8, 0x00, 0x04, 0x00, 0x08]);
        // Channel 3: full on.
        chip.Write([Pca9685Registers.Led0OnL + 4 * 3, 0x00, 0x10, 0x00, 0x00]);
        var now = bench.SimClock.GetUtcNow();
        var light = bench.LightingDetailAt(now);
        Assert.Equal(0.5, light.Lighting.Segments[0], 9);
        Assert.Equal(1.0, light.Lighting.Segments[3], 9);
        Assert.Equal(0.25, light.Lighting.Coaxial, 9);
        Assert.Equal(TimeSpan.FromSeconds(4096 * 6 / 25e6), light.Segments[0].Period);
        Assert.Equal(TimeSpan.Zero, light.Segments[3].Period); // steady, no ripple

        var readBack = new byte[4];
        chip.WriteRead([Pca9685Registers.Led0OnL + 4 * 8], readBack);
        Assert.Equal(new byte[] { 0x00, 0x04, 0x00, 0x08 }, readBack);

        // Full-off on ALL_LED wins over everything; ALL_LED reads back as zero.
        chip.Write([Pca9685Registers.AllLedOnL, 0x00, 0x00, 0x00, 0x10]);
        Assert.True(bench.LightingAt(bench.SimClock.GetUtcNow()).IsOff);
        var all = new byte[1];
        chip.WriteRead([Pca9685Registers.AllLedOnL + 3], all);
        Assert.Equal(0, all[0]);

        // Without auto-increment, a multi-byte write lands on one register.
        chip.Write([Pca9685Registers.Mode1, 0x00]);
        chip.Write([Pca9685Registers.Led0OnL, 0x01, 0x02, 0x03]);
        Assert.Equal(0x03, chip.RegisterValue(Pca9685Registers.Led0OnL));
        Assert.Equal(0x00, chip.RegisterValue(Pca9685Registers.Led0OnL + 1));
    }

    [Fact]
    public void Native_pwm_channels_report_duty_and_period_when_the_bench_uses_them()
    {
        using var bench = new SimulatedBench(new SimulatedBenchOptions { Lights = LightDriver.NativePwm });
        var ch = bench.PwmChannels[2];
        ch.Frequency = 1000;
        ch.DutyCycle = 0.3;
        Assert.Equal(0, bench.LightingAt(bench.SimClock.GetUtcNow()).Segments[2]); // not started
        ch.Start();
        var detail = bench.LightingDetailAt(bench.SimClock.GetUtcNow());
        Assert.Equal(0.3, detail.Lighting.Segments[2], 9);
        Assert.Equal(TimeSpan.FromMilliseconds(1), detail.Segments[2].Period);
        Assert.Throws<ArgumentOutOfRangeException>(() => ch.DutyCycle = 1.5);
    }
}
