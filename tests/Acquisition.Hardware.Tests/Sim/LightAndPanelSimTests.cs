using System.Device.Gpio;
using Acquisition.Core.Hardware;
using Acquisition.Hardware.Light;
using Acquisition.Hardware.Panel;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Gpio;
using Acquisition.HardwareSim.Grbl;
using Acquisition.HardwareSim.Pwm;
using Xunit.Abstractions;

namespace Acquisition.Hardware.Tests.Sim;

/// <summary>The ring light on the simulated PCA9685, the panel on the real GpioController over the simulated driver.</summary>
public class LightAndPanelSimTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ring_light_duties_reach_the_simulated_PCA9685_and_all_off_is_dark()
    {
        using var clock = new SimulationClock(new SimulationClockOptions { AutoAdvance = false });
        var chip = new SimPca9685(clock);
        using var light = new RingLight(new Pca9685(chip, 1526), new RingLightOptions());
        await light.SetAsync(LightingState.Segmented(8, [1, 5], 0.37, coaxial: 0.5), CancellationToken.None);
        var now = clock.GetUtcNow();
        Assert.Equal(0.37, chip.OutputAt(1, now).Duty, 3);
        Assert.Equal(0.37, chip.OutputAt(5, now).Duty, 3);
        Assert.Equal(0.5, chip.OutputAt(8, now).Duty, 3);
        Assert.Equal(0, chip.OutputAt(0, now).Duty);
        Assert.Equal(light.PwmPeriod.TotalMilliseconds, chip.OutputAt(1, now).Period.TotalMilliseconds, 6);
        await light.AllOffAsync(CancellationToken.None);
        Assert.All(Enumerable.Range(0, 16), c => Assert.Equal(0, chip.OutputAt(c, clock.GetUtcNow()).Duty));
    }

    [Fact]
    public async Task Exposures_of_whole_PWM_periods_collect_the_same_light_at_any_phase_and_others_do_not()
    {
        using var clock = new SimulationClock(new SimulationClockOptions { AutoAdvance = false });
        var chip = new SimPca9685(clock);
        using var light = new RingLight(new Pca9685(chip, 1526), new RingLightOptions());
        await light.SetAsync(LightingState.Segmented(8, [0], 0.3), CancellationToken.None);
        var emitted = chip.OutputAt(0, clock.GetUtcNow());

        var aligned = PwmExposure.RoundToWholePeriods(TimeSpan.FromMilliseconds(10), light.PwmPeriod);
        var unaligned = aligned + emitted.Period * 0.4;
        var alignedSpread = PhaseSpread(emitted, aligned);
        var unalignedSpread = PhaseSpread(emitted, unaligned);
        output.WriteLine($"period {emitted.Period.TotalMicroseconds:0} µs: spread {alignedSpread:P3} at {aligned.TotalMilliseconds:0.###} ms, {unalignedSpread:P3} at {unaligned.TotalMilliseconds:0.###} ms");
        // A 0.1 % brightness change moves a gradient-energy focus measure by ~0.2 %, far below a z-step's effect.
        Assert.True(alignedSpread < 1e-3, $"aligned exposure spread {alignedSpread:P3}");
        Assert.True(unalignedSpread > 1e-2, $"unaligned exposure spread {unalignedSpread:P3}");
    }

    /// <summary>Relative spread of the light a square wave delivers into an exposure, over 200 start phases.</summary>
    private static double PhaseSpread(PwmOutput pwm, TimeSpan exposure)
    {
        var p = pwm.Period.TotalSeconds;
        double Collected(double start)
        {
            // Integral of the square wave (on for duty·p at the start of each period) from start to start+exposure.
            double Cumulative(double t) => Math.Floor(t / p) * pwm.Duty * p + Math.Min(t - Math.Floor(t / p) * p, pwm.Duty * p);
            return Cumulative(start + exposure.TotalSeconds) - Cumulative(start);
        }
        var values = Enumerable.Range(0, 200).Select(i => Collected(i * p / 200)).ToList();
        return (values.Max() - values.Min()) / values.Average();
    }

    [Fact]
    public async Task A_bouncing_button_on_the_simulated_GPIO_gives_one_capture_and_a_long_hold_an_abort()
    {
        using var clock = new SimulationClock(new SimulationClockOptions { AutoAdvance = false });
        var pins = new PinMap();
        var driver = new SimGpioDriver(clock, pins);
        using var gpio = new GpioController(driver);
        using var panel = new OperatorPanel(gpio, pins, new OperatorPanelOptions(), clock);
        var events = new List<PanelEventKind>();
        panel.EventRaised += (_, e) => events.Add(e.Kind);
        foreach (var level in new[] { PinValue.Low, PinValue.High, PinValue.Low, PinValue.High, PinValue.Low })
        {
            driver.SetInputLevel(pins.CaptureButton, level);
            clock.Advance(TimeSpan.FromMilliseconds(2));
        }
        clock.Advance(TimeSpan.FromMilliseconds(100));
        driver.SetInputLevel(pins.CaptureButton, PinValue.High);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal([PanelEventKind.CapturePressed], events);

        driver.SetInputLevel(pins.CaptureButton, PinValue.Low);
        clock.Advance(TimeSpan.FromSeconds(2));
        driver.SetInputLevel(pins.CaptureButton, PinValue.High);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal([PanelEventKind.CapturePressed, PanelEventKind.AbortRequested], events);

        panel.ShowIndicator(StatusIndicator.Fault);
        var toggles = driver.OutputHistory.Count(h => h.Pin == pins.LedFault);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(8, driver.OutputHistory.Count(h => h.Pin == pins.LedFault) - toggles); // 4 Hz blink: 8 edges a second
        panel.SetMotorsEnabled(true);
        Assert.Equal(PinValue.High, driver.LevelOf(pins.MotorEnable));
    }

    [Fact]
    public async Task Door_opened_mid_move_feed_holds_the_stage_and_switches_the_light_off()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var pins = new PinMap();
        var driver = new SimGpioDriver(bench.Clock, pins);
        using var gpio = new GpioController(driver);
        using var panel = new OperatorPanel(gpio, pins, new OperatorPanelOptions(), bench.Clock);
        var chip = new SimPca9685(bench.Clock);
        using var light = new RingLight(new Pca9685(chip, 1526), new RingLightOptions());
        using var interlock = new SafetyInterlock(panel, bench.Stage, light);
        var tripped = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        interlock.Tripped += (_, ex) => tripped.TrySetResult(ex);
        await light.SetAsync(LightingState.Segmented(8, [0, 1, 2], 0.8), CancellationToken.None);

        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bench.Stage.StatusChanged += (_, s) => { if (s.State == StageMotionState.Run) { running.TrySetResult(); } };
        var move = bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-40_000, -30_000, -15_000), CancellationToken.None);
        await Task.WhenAny(running.Task, move).WaitAsync(GrblBench.Guard);

        // The door switch feeds both GRBL's safety-door input and the station's GPIO mirror.
        driver.SetInputLevel(pins.DoorInterlock, PinValue.High);
        Assert.Null(await tripped.Task.WaitAsync(GrblBench.Guard));
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => move.WaitAsync(GrblBench.Guard));
        output.WriteLine(ex.Message);
        Assert.Contains("feed hold", ex.Message, StringComparison.Ordinal);
        Assert.False(panel.DoorClosed);
        Assert.True(light.Current.IsOff);
        Assert.All(Enumerable.Range(0, 16), c => Assert.Equal(0, chip.OutputAt(c, bench.Clock.GetUtcNow()).Duty));
        var status = await bench.Stage.QueryStatusAsync(CancellationToken.None).WaitAsync(GrblBench.Guard);
        Assert.Equal(StageMotionState.Hold, status.State);
        Assert.Equal(GrblMachineState.Hold, bench.Controller.State);
    }
}
