using System.Device.Gpio;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

public sealed class BenchFaultTests
{
    private static async Task<(SimulatedBench Bench, SerialSession Serial)> HomedBenchAsync()
    {
        var bench = new SimulatedBench();
        var serial = new SerialSession(bench.SerialPortPath, bench.SimClock);
        await serial.BannerAsync();
        Assert.Equal("[MSG:'$H'|'$X' to unlock]", await serial.NextLineAsync());
        Assert.Equal(["ok"], await serial.CommandAsync("$H"));
        return (bench, serial);
    }

    [Fact]
    public async Task Serial_garbage_arrives_as_a_junk_line()
    {
        var (bench, serial) = await HomedBenchAsync();
        using var _ = bench;
        using var __ = serial;
        bench.Faults.Set("serial-garbage", true);
        var junk = await serial.NextLineAsync();
        Assert.Contains('\u00FE', junk);
        Assert.Empty(bench.Faults.Active); // one-shot
        Assert.Equal(["ok"], await serial.CommandAsync("G21"));
    }

    [Fact]
    public async Task Dropped_ok_loses_exactly_one_reply()
    {
        var (bench, serial) = await HomedBenchAsync();
        using var _ = bench;
        using var __ = serial;
        bench.Faults.Set("dropped-ok", true);
        serial.Send("G21");
        Assert.Equal(["[VER:1.1h.20190825:]", "[OPT:V,15,128]", "ok"], await serial.CommandAsync("$I"));
    }

    [Fact]
    public async Task Controller_reset_mid_move_prints_the_banner_and_loses_the_position()
    {
        var (bench, serial) = await HomedBenchAsync();
        using var _ = bench;
        using var __ = serial;
        var lease = bench.SimClock.Busy();
        Assert.Equal(["ok"], await serial.CommandAsync("G1 X-30 F300"));
        var at = bench.SimClock.DelayThenHoldAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        lease.Dispose();
        var trueBefore = 0.0;
        using (await at.WaitAsync(SerialSession.Guard))
        {
            trueBefore = bench.TruePositionAt(bench.SimClock.GetUtcNow()).X.Value;
            bench.Faults.Set("controller-reset", true);
        }
        var (_, skipped) = await serial.UntilAsync(l => l.StartsWith("Grbl 1.1h", StringComparison.Ordinal));
        Assert.DoesNotContain("ALARM:3", skipped); // a reboot, not a soft reset
        Assert.Equal("[MSG:'$H'|'$X' to unlock]", await serial.NextLineAsync());
        Assert.StartsWith("<Alarm|MPos:0.000,0.000,0.000", await serial.StatusAsync());
        Assert.Equal(trueBefore, bench.TruePositionAt(bench.SimClock.GetUtcNow()).X.Value, 3); // the carriage stayed
    }

    [Fact]
    public async Task Limit_switch_hit_raises_a_hard_limit_alarm()
    {
        var (bench, serial) = await HomedBenchAsync();
        using var _ = bench;
        using var __ = serial;
        bench.Faults.Set("limit-y", true);
        Assert.Equal("ALARM:1", await serial.NextLineAsync());
        Assert.Equal("[MSG:Reset to continue]", await serial.NextLineAsync());
        Assert.Contains("|Pn:Y", await serial.StatusAsync());
        bench.Faults.Set("limit-y", false);
        await serial.ResetAsync();
        Assert.Equal("[MSG:'$H'|'$X' to unlock]", await serial.NextLineAsync());
    }

    [Fact]
    public async Task Motor_stall_fault_keeps_the_true_position_still()
    {
        var (bench, serial) = await HomedBenchAsync();
        using var _ = bench;
        using var __ = serial;
        var before = bench.TruePositionAt(bench.SimClock.GetUtcNow());
        bench.Faults.Set("stall-z", true);
        Assert.Equal(["ok"], await serial.CommandAsync("G1 Z-4 F200"));
        Assert.Equal(["ok"], await serial.CommandAsync("G4 P0"));
        Assert.StartsWith("<Idle|MPos:-1.000,-1.000,-4.000", await serial.StatusAsync());
        Assert.Equal(before.Z.Value, bench.TruePositionAt(bench.SimClock.GetUtcNow()).Z.Value, 6);
        Assert.NotEqual(bench.Grbl.ReportedSteps[2], bench.Grbl.TrueSteps[2]);
    }

    [Fact]
    public async Task Door_fault_opens_the_gpio_interlock_and_holds_grbl()
    {
        var (bench, serial) = await HomedBenchAsync();
        using var _ = bench;
        using var __ = serial;
        using var gpio = new GpioController(bench.Gpio);
        gpio.OpenPin(bench.Pins.DoorInterlock, PinMode.Input);
        var lease = bench.SimClock.Busy();
        Assert.Equal(["ok"], await serial.CommandAsync("G1 X-20 F600"));
        var at = bench.SimClock.DelayThenHoldAsync(TimeSpan.FromSeconds(0.5), CancellationToken.None);
        lease.Dispose();
        using (await at.WaitAsync(SerialSession.Guard))
        {
            bench.Faults.Set("door-open", true);
        }
        Assert.Equal(PinValue.High, gpio.Read(bench.Pins.DoorInterlock));
        Assert.StartsWith("<Door:1", await serial.WaitForStateAsync("Door:1"));
        bench.Faults.Set("door-open", false);
        Assert.Equal(PinValue.Low, gpio.Read(bench.Pins.DoorInterlock));
        await serial.WaitForStateAsync("Door:0");
    }

    [Fact]
    public async Task Serial_unplugged_removes_the_port_and_replugging_brings_a_new_one_with_a_banner()
    {
        var dir = Directory.CreateTempSubdirectory("hwsim-link-").FullName;
        try
        {
            var link = Path.Combine(dir, "ttyGRBL");
            using var bench = new SimulatedBench(new SimulatedBenchOptions { SerialLinkPath = link });
            Assert.Equal(link, bench.SerialPortPath);
            using (var first = new SerialSession(link, bench.SimClock))
            {
                await first.BannerAsync();
                var oldPty = bench.Motion.PtyPath;
                bench.Faults.Set("serial-unplugged", true);
                Assert.False(File.Exists(link));
                Assert.Null(bench.Motion.PtyPath);
                Assert.ThrowsAny<Exception>(() =>
                {
                    first.Send("$I");
                    first.Send("$I"); // a hung-up tty fails writes
                });
                bench.Faults.Set("serial-unplugged", false);
                Assert.True(File.Exists(link));
                Assert.NotNull(bench.Motion.PtyPath);
                _ = oldPty;
            }
            using var second = new SerialSession(link, bench.SimClock);
            await second.BannerAsync();
            Assert.Equal("[MSG:'$H'|'$X' to unlock]", await second.NextLineAsync());
            Assert.Equal(["[VER:1.1h.20190825:]", "[OPT:V,15,128]", "ok"], await second.CommandAsync("$I"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Stuck_button_stays_pressed_after_release_and_camera_switches_are_shared()
    {
        using var bench = new SimulatedBench();
        using var gpio = new GpioController(bench.Gpio);
        gpio.OpenPin(bench.Pins.CaptureButton, PinMode.InputPullUp);
        bench.Faults.Set("stuck-button", true);
        bench.ReleaseButton();
        Assert.Equal(PinValue.Low, gpio.Read(bench.Pins.CaptureButton));
        Assert.True(bench.ButtonPressed);
        bench.Faults.Set("stuck-button", false);
        Assert.Equal(PinValue.High, gpio.Read(bench.Pins.CaptureButton));

        var seen = new List<(string, bool)>();
        bench.Faults.Changed += (n, on) => seen.Add((n, on));
        bench.Faults.Set("camera-disconnect", true);
        bench.Faults.Set("camera-timeout", true);
        Assert.True(bench.Faults.CameraDisconnected);
        Assert.True(bench.Faults.CameraFrameTimeouts);
        Assert.Equal([("camera-disconnect", true), ("camera-timeout", true)], seen);
        Assert.Throws<ArgumentException>(() => bench.Faults.Set("no-such-fault", true));
        await Task.CompletedTask;
    }
}
