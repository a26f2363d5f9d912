using System.Device.Gpio;
using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Tests;

/// <summary>The motor-enable output, wired to the stepper drivers: off means the motors let go of the carriage.</summary>
public sealed class MotorEnableTests
{
    [Fact]
    public async Task Drivers_off_loses_the_reference_and_a_pushed_carriage_needs_homing_to_be_found_again()
    {
        // $1=255 as the station sets it, so that only the motor-enable line lets go of the carriage.
        using var bench = new SimulatedBench(new SimulatedBenchOptions
        {
            MotorEnableWired = true,
            Grbl = new Grbl.GrblOptions { SettingOverrides = { [1] = 255 } },
        });
        using var gpio = new GpioController(bench.Gpio);
        using var serial = new SerialSession(bench.SerialPortPath, bench.SimClock);
        await serial.BannerAsync();
        await serial.NextLineAsync();
        gpio.OpenPin(bench.Pins.MotorEnable, PinMode.Output, PinValue.High);
        Assert.True(bench.Grbl.DriversEnabled);
        Assert.Throws<InvalidOperationException>(() => bench.PushCarriage(Axis.Z, 30)); // a powered motor holds
        Assert.Equal(["ok"], await serial.CommandAsync("$H"));
        Assert.True(bench.Status().ReferenceValid);

        gpio.Write(bench.Pins.MotorEnable, PinValue.Low);
        Assert.False(bench.Grbl.DriversEnabled);
        Assert.False(bench.Status().ReferenceValid);
        var before = bench.TruePositionAt(bench.SimClock.GetUtcNow());
        bench.PushCarriage(Axis.Z, -30);
        Assert.Equal(["ok"], await serial.CommandAsync("G1 X-6 F600")); // GRBL steps; the unpowered motor does not follow
        Assert.Equal(["ok"], await serial.CommandAsync("G4 P0"));
        var now = bench.SimClock.GetUtcNow();
        Assert.Equal(before.X.Value, bench.TruePositionAt(now).X.Value, 3);
        Assert.Equal(before.Z.Value - 30, bench.TruePositionAt(now).Z.Value, 3);
        // GRBL cannot tell: it reports where it believes it is.
        Assert.StartsWith("<Idle|MPos:-6.000,-1.000,-1.000", await serial.StatusAsync());

        // Homing with the drivers still off fails as on the bench: the switch is never reached.
        serial.Send("$H");
        Assert.Contains("ALARM:9", await Until(serial, "Grbl 1.1h"));

        gpio.Write(bench.Pins.MotorEnable, PinValue.High);
        Assert.Equal("ok", (await serial.CommandAsync("$H"))[^1]);
        Assert.True(bench.Status().ReferenceValid);
        now = bench.SimClock.GetUtcNow();
        var truth = bench.TruePositionAt(now);
        var reported = bench.ReportedPositionAt(now);
        // Found again: within the switch's trip and Z's backlash play, no longer 30 µm (Z) or 5 mm (X) out.
        Assert.InRange(Math.Abs(reported.X.Value - truth.X.Value), 0, 5);
        Assert.InRange(Math.Abs(reported.Z.Value - truth.Z.Value), 0, 5);
    }

    [Fact]
    public void A_back_drivable_z_sinks_when_its_driver_is_switched_off()
    {
        using var bench = new SimulatedBench(new SimulatedBenchOptions
        {
            MotorEnableWired = true,
            Grbl = new Grbl.GrblOptions { UnpoweredZDriftMicrometres = -150, SettingOverrides = { [1] = 255 } },
        });
        using var gpio = new GpioController(bench.Gpio);
        gpio.OpenPin(bench.Pins.MotorEnable, PinMode.Output, PinValue.High);
        var z = bench.TruePositionAt(bench.SimClock.GetUtcNow()).Z.Value;
        gpio.Write(bench.Pins.MotorEnable, PinValue.Low);
        Assert.Equal(z - 150, bench.TruePositionAt(bench.SimClock.GetUtcNow()).Z.Value, 3);
    }

    private static async Task<List<string>> Until(SerialSession serial, string prefix)
    {
        var (line, skipped) = await serial.UntilAsync(l => l.StartsWith(prefix, StringComparison.Ordinal));
        skipped.Add(line);
        return skipped;
    }
}
