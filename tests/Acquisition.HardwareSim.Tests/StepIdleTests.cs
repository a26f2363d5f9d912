using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

/// <summary>GRBL's <c>$1</c> step idle delay, on the virtual clock over the real SerialPort.</summary>
public sealed class StepIdleTests
{
    // G1 X-6 F600 from the pulled-off origin (X −1): 5 mm at 10 mm/s with $120=50 mm/s².
    private static readonly TimeSpan MoveTime = TimeSpan.FromSeconds(new TrapezoidProfile(5, 0, 10, 50).DurationS);

    [Fact]
    public async Task With_the_default_delay_the_drivers_hold_for_25_ms_after_a_move_and_then_let_go()
    {
        using var b = new GrblBench(); // GRBL's default $1=25
        await b.HomedAsync();
        Task<IDisposable> later;
        using (await b.CommandThenHoldAtAsync("G1 X-6 F600", MoveTime + TimeSpan.FromMilliseconds(24)))
        {
            Assert.True(b.Grbl.SteppersEnergised);
            Assert.Throws<InvalidOperationException>(() => b.Grbl.PushCarriage(Axis.X, 10)); // a powered motor holds
            later = b.Clock.DelayThenHoldAsync(TimeSpan.FromMilliseconds(2), CancellationToken.None);
        }
        using (await later.WaitAsync(SerialSession.Guard))
        {
            Assert.False(b.Grbl.SteppersEnergised);
            Assert.True(b.Grbl.ReferenceValid); // letting go alone moves nothing
            b.Grbl.PushCarriage(Axis.X, 10);
            Assert.False(b.Grbl.ReferenceValid); // moved by hand: GRBL's counters no longer describe the carriage
        }
        // GRBL itself reports nothing different.
        Assert.StartsWith("<Idle|MPos:-6.000,-1.000,-1.000", await b.Serial.StatusAsync());

        // The next move energises the drivers at its start.
        using (await b.CommandThenHoldAtAsync("G1 X-7 F600", TimeSpan.FromMilliseconds(10)))
        {
            Assert.True(b.Grbl.SteppersEnergised);
        }
    }

    [Fact]
    public async Task At_255_the_drivers_stay_on_but_an_alarm_still_disables_them_until_a_plain_reset()
    {
        using var b = new GrblBench(new GrblOptions { SettingOverrides = { [1] = 255 } });
        await b.HomedAsync();
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 X-6 F600"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P10"));
        Assert.True(b.Grbl.SteppersEnergised);
        Assert.Throws<InvalidOperationException>(() => b.Grbl.PushCarriage(Axis.Z, 10));

        // A reset mid-move raises ALARM:3, and GRBL's st_go_idle disables the drivers for an alarm even at $1=255.
        using (await b.CommandThenHoldAtAsync("G1 X-1 F600", TimeSpan.FromMilliseconds(300)))
        {
            b.Serial.SendRaw(0x18);
        }
        Assert.Equal("ALARM:3", (await b.Serial.UntilAsync(l => l.StartsWith("ALARM", StringComparison.Ordinal))).Line);
        await b.Serial.BannerAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(256), b.Clock).WaitAsync(SerialSession.Guard); // simulated time
        Assert.False(b.Grbl.SteppersEnergised);

        // A reset without an alarm raised runs st_go_idle with $1=255: the drivers are enabled again.
        await b.Serial.ResetAsync();
        Assert.True(b.Grbl.SteppersEnergised);
    }
}
