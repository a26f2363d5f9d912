using System.Text.RegularExpressions;
using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

public sealed partial class GrblProtocolTests
{
    // GRBL 1.1 status grammar: state, position, optional Bf, FS, optional Pn, WCO, Ov (+A).
    [GeneratedRegex(@"^<(Idle|Run|Hold:[01]|Jog|Home|Alarm|Door:[0-3]|Check|Sleep)\|MPos:-?\d+\.\d{3},-?\d+\.\d{3},-?\d+\.\d{3}(\|Bf:\d+,\d+)?\|FS:\d+,\d+(\|Pn:P?X?Y?Z?D?R?H?S?)?(\|WCO:-?\d+\.\d{3},-?\d+\.\d{3},-?\d+\.\d{3})?(\|Ov:\d+,\d+,\d+(\|A:S?C?F?M?)?)?>$")]
    private static partial Regex StatusGrammar();

    [Fact]
    public async Task Status_reports_match_grbl_grammar_in_every_state_and_carry_wco_then_ov()
    {
        using var b = new GrblBench();
        await b.BannerAsync();
        var alarm = await b.Serial.StatusAsync();
        Assert.Matches(StatusGrammar(), alarm);
        Assert.StartsWith("<Alarm|", alarm);
        Assert.Contains("|WCO:0.000,0.000,0.000", alarm); // first report after reset carries WCO
        var second = await b.Serial.StatusAsync();
        Assert.Contains("|Ov:100,100,100", second); // and the next one the overrides
        Assert.Equal(["ok"], await b.Serial.CommandAsync("$H"));
        using (await b.CommandThenHoldAtAsync("G1 X-5 F300", TimeSpan.FromMilliseconds(300)))
        {
            var run = await b.Serial.StatusAsync();
            Assert.Matches(StatusGrammar(), run);
            Assert.StartsWith("<Run|", run);
            b.Serial.SendRaw((byte)'!');
            Assert.StartsWith("<Hold:1|", await b.Serial.StatusAsync());
        }
        var hold = await b.Serial.WaitForStateAsync("Hold:0");
        Assert.Matches(StatusGrammar(), hold);
        b.Serial.SendRaw((byte)'~');
        var idle = await b.Serial.WaitForStateAsync("Idle");
        Assert.Matches(StatusGrammar(), idle);
        Assert.Equal([-5.0, -1.0, -1.0], SerialSession.Mpos(idle));
    }

    [Fact]
    public async Task Ten_mm_move_takes_the_trapezoid_time_on_the_virtual_clock()
    {
        using var b = new GrblBench(new GrblOptions { SettingOverrides = { [110] = 500, [120] = 10, [22] = 0, [20] = 0, [21] = 0, [1] = 255 } });
        // $1=255 (as the station sets it): no step-idle timer falls due between the ok of G4 P0 and the end stamp.
        await b.BannerAsync();
        DateTimeOffset start;
        // Hold a lease while sending and reading the ok, so virtual time cannot move between the block's start and our stamp.
        using (b.Clock.Busy())
        {
            Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 X10 F500"));
            start = b.Clock.GetUtcNow();
        }
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        var end = b.Clock.GetUtcNow();
        // v = 500/60 mm/s, a = 10 mm/s²: ramps 2·v/a = 1.6667 s over 6.944 mm, cruise 3.056 mm at v.
        var v = 500 / 60.0;
        var expected = 2 * v / 10 + (10 - v * v / 10) / v;
        Assert.Equal(expected, (end - start).TotalSeconds, 5);
        Assert.Equal(expected, TrapezoidProfile.RestToRestSeconds(10, v, 10), 9);
        Assert.StartsWith("<Idle|MPos:10.000,0.000,0.000", await b.Serial.StatusAsync());
    }

    [Fact]
    public async Task G4_P0_is_answered_only_after_the_planner_drains()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 X-20 F600"));
        b.Serial.Send("G4 P0");
        // While the move runs, status reports come but no ok for G4.
        var (line, skipped) = await b.Serial.UntilAsync(l => l == "ok");
        var statusAfter = await b.Serial.StatusAsync();
        Assert.StartsWith("<Idle|MPos:-20.000,", statusAfter);
        Assert.Empty(skipped);
        Assert.Equal([-20000.0, -1000.0, -1000.0],
            [b.Grbl.ReportedPositionAt(b.Clock.GetUtcNow()).X.Value, b.Grbl.ReportedPositionAt(b.Clock.GetUtcNow()).Y.Value,
             b.Grbl.ReportedPositionAt(b.Clock.GetUtcNow()).Z.Value]);
        Assert.Equal("ok", line);
    }

    [Fact]
    public async Task Reset_mid_move_raises_alarm_3_then_banner_and_unlock_message()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        List<string> skipped;
        using (await b.CommandThenHoldAtAsync("G1 X-30 F300", TimeSpan.FromSeconds(1)))
        {
            Assert.StartsWith("<Run|", await b.Serial.StatusAsync());
            skipped = await b.Serial.ResetAsync();
        }
        Assert.Contains("ALARM:3", skipped);
        Assert.Equal("[MSG:'$H'|'$X' to unlock]", await b.Serial.NextLineAsync());
        var status = await b.Serial.StatusAsync();
        Assert.StartsWith("<Alarm|", status);
        var x = SerialSession.Mpos(status)[0];
        Assert.InRange(x, -29.999, -1.001); // stopped where it was
        Assert.Equal(["error:9"], await b.Serial.CommandAsync("G0 X-2"));
        Assert.Equal(["[MSG:Caution: Unlocked]", "ok"], await b.Serial.CommandAsync("$X"));
    }

    [Fact]
    public async Task Soft_limit_raises_alarm_2_with_messages_and_needs_reset_then_unlock()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        b.Serial.Send("G0 X5");
        Assert.Equal("ALARM:2", await b.Serial.NextLineAsync());
        Assert.Equal("[MSG:Reset to continue]", await b.Serial.NextLineAsync());
        // Critical alarm: lines are not processed until reset.
        b.Serial.Send("$X");
        Assert.StartsWith("<Alarm|", await b.Serial.StatusAsync());
        var skipped = await b.Serial.ResetAsync();
        Assert.DoesNotContain("ok", skipped);
        Assert.Equal("[MSG:'$H'|'$X' to unlock]", await b.Serial.NextLineAsync());
        Assert.Equal(["[MSG:Caution: Unlocked]", "ok"], await b.Serial.CommandAsync("$X"));
        Assert.StartsWith("<Idle|MPos:-1.000,-1.000,-1.000", await b.Serial.StatusAsync());
    }

    [Fact]
    public async Task Soft_limit_during_a_cycle_stops_in_a_controlled_way_first()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        using (await b.CommandThenHoldAtAsync("G1 X-10 F600", TimeSpan.FromMilliseconds(500)))
        {
            b.Serial.Send("G1 X1");
            Assert.StartsWith("<Hold:1|", await b.Serial.StatusAsync());
        }
        Assert.Equal("ALARM:2", (await b.Serial.UntilAsync(l => l.StartsWith("ALARM", StringComparison.Ordinal))).Line);
        var x = b.Grbl.ReportedPositionAt(b.Clock.GetUtcNow()).X.Value;
        Assert.Equal(b.Grbl.TruePositionAt(b.Clock.GetUtcNow()).X.Value, x, 3);
    }

    [Fact]
    public async Task Line_too_long_gives_error_11_and_jog_beyond_travel_error_15()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        Assert.Equal(["error:11"], await b.Serial.CommandAsync("G1" + new string('0', 78) + "X-1F100"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 X-1 F100" + new string(' ', 100))); // spaces are not stored
        Assert.Equal(["error:15"], await b.Serial.CommandAsync("$J=G91 X+2 F500"));
        Assert.Equal(["error:15"], await b.Serial.CommandAsync("$J=G53 X-60 F500"));
        Assert.Equal(["error:22"], await b.Serial.CommandAsync("$J=G91 X-1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("$J=G91 X-0.5 F500"));
        await b.Serial.WaitForStateAsync("Idle");
    }

    [Fact]
    public async Task Character_counting_sender_streams_through_the_128_byte_buffer_without_loss()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        var lines = Enumerable.Range(1, 60).Select(i => $"G1 X-{i % 7 + 1}.{i % 10}00 Y-{i % 5 + 1} F3000").ToList();
        var inFlight = new Queue<int>();
        var used = 0;
        var oks = 0;
        foreach (var line in lines)
        {
            while (used + line.Length + 1 > GrblController.RxBufferSize)
            {
                var reply = (await b.Serial.UntilAsync(l => l == "ok" || l.StartsWith("error", StringComparison.Ordinal))).Line;
                Assert.Equal("ok", reply);
                oks++;
                used -= inFlight.Dequeue();
            }
            b.Serial.Send(line);
            inFlight.Enqueue(line.Length + 1);
            used += line.Length + 1;
        }
        while (inFlight.Count > 0)
        {
            Assert.Equal("ok", (await b.Serial.UntilAsync(l => l == "ok" || l.StartsWith("error", StringComparison.Ordinal))).Line);
            oks++;
            inFlight.Dequeue();
        }
        Assert.Equal(60, oks);
        Assert.Equal(0, b.Grbl.RxOverflowBytes);
        var idle = await b.Serial.WaitForStateAsync("Idle");
        Assert.StartsWith("<Idle|MPos:-5.000,-1.000,-1.000", idle); // i = 60: X-5.000 Y-1
    }

    [Fact]
    public async Task Settings_dump_info_and_set_persist_to_the_settings_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"grbl-{Guid.NewGuid():N}.txt");
        try
        {
            using (var b = new GrblBench(new GrblOptions { SettingsPath = path }))
            {
                await b.BannerAsync();
                var dump = await b.Serial.CommandAsync("$$");
                Assert.Contains("$0=10", dump);
                Assert.Contains("$100=800.000", dump);
                Assert.Contains("$23=0", dump);
                Assert.Equal(["[VER:1.1h.20190825:]", "[OPT:V,15,128]", "ok"], await b.Serial.CommandAsync("$I"));
                Assert.Equal(["ok"], await b.Serial.CommandAsync("$110=750.5"));
                Assert.Equal(["error:3"], await b.Serial.CommandAsync("$999=1"));
                Assert.Equal(["error:4"], await b.Serial.CommandAsync("$110=-1"));
            }
            using var again = new GrblBench(new GrblOptions { SettingsPath = path });
            await again.BannerAsync();
            Assert.Contains("$110=750.500", await again.Serial.CommandAsync("$$"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Homing_finds_the_switches_and_sets_negative_machine_space()
    {
        using var b = new GrblBench(new GrblOptions { StartPositionMm = [-12, -30, -5] });
        await b.BannerAsync();
        Assert.Equal(["error:9"], await b.Serial.CommandAsync("G0 X-1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("$H"));
        var status = await b.Serial.StatusAsync();
        Assert.StartsWith("<Idle|MPos:-1.000,-1.000,-1.000", status);
        var truth = b.Grbl.TruePositionAt(b.Clock.GetUtcNow());
        // The switch trips 0.5 µm past its nominal point; X and Y have no play (steps are 1.25 µm).
        Assert.InRange(truth.X.Value, -1000.8, -998.7);
        Assert.InRange(truth.Y.Value, -1000.8, -998.7);
        // Z reversed off the switch: the 2 µm backlash leaves the carriage 2 µm short of the commanded pull-off.
        Assert.InRange(truth.Z.Value, -998.0, -997.0);
    }

    [Fact]
    public async Task Homing_with_negative_direction_mask_homes_to_the_far_end()
    {
        using var b = new GrblBench(new GrblOptions { SettingOverrides = { [23] = 1 } });
        await b.BannerAsync();
        Assert.Equal(["ok"], await b.Serial.CommandAsync("$H"));
        Assert.StartsWith("<Idle|MPos:-49.000,-1.000,-1.000", await b.Serial.StatusAsync());
    }

    [Fact]
    public async Task Homing_failures_raise_alarms_8_and_9_and_reset()
    {
        using var b = new GrblBench();
        await b.BannerAsync();
        b.Grbl.SetLimitForced(Axis.Z, true);
        b.Serial.Send("$H");
        var (_, skipped) = await b.Serial.UntilAsync(l => l.StartsWith("Grbl", StringComparison.Ordinal));
        Assert.Contains("ALARM:8", skipped);
        b.Grbl.SetLimitForced(Axis.Z, false);
        b.Grbl.SetStalled(Axis.X, true);
        b.Serial.Send("$H");
        (_, skipped) = await b.Serial.UntilAsync(l => l.StartsWith("Grbl", StringComparison.Ordinal));
        Assert.Contains("ALARM:9", skipped);
        Assert.StartsWith("<Alarm|", await b.Serial.StatusAsync());
    }

    [Fact]
    public async Task Hard_limit_raises_alarm_1_with_messages()
    {
        using var b = new GrblBench(new GrblOptions { SettingOverrides = { [20] = 0 } });
        await b.HomedAsync();
        b.Serial.Send("G1 X2 F300"); // soft limits off: the carriage runs into the switch at 0
        Assert.Equal("ok", await b.Serial.NextLineAsync());
        Assert.Equal("ALARM:1", (await b.Serial.UntilAsync(l => l.StartsWith("ALARM", StringComparison.Ordinal))).Line);
        Assert.Equal("[MSG:Reset to continue]", await b.Serial.NextLineAsync());
        var status = await b.Serial.StatusAsync();
        Assert.Contains("|Pn:X", status);
        Assert.InRange(b.Grbl.TruePositionAt(b.Clock.GetUtcNow()).X.Value, 0, 2);
    }

    [Fact]
    public async Task Door_opened_mid_move_holds_and_resumes_after_closing()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        using (await b.CommandThenHoldAtAsync("G1 X-20 F600", TimeSpan.FromSeconds(1)))
        {
            Assert.StartsWith("<Run|", await b.Serial.StatusAsync());
            b.Grbl.SetDoorOpen(true);
            Assert.StartsWith("<Door:2|", await b.Serial.StatusAsync());
        }
        var door = await b.Serial.WaitForStateAsync("Door:1");
        Assert.Contains("Pn:D", door);
        var stoppedAt = SerialSession.Mpos(door)[0];
        Assert.InRange(stoppedAt, -19.999, -1.001);
        b.Serial.SendRaw((byte)'~'); // ignored while the door is open
        Assert.StartsWith("<Door:1", await b.Serial.StatusAsync());
        b.Grbl.SetDoorOpen(false);
        await b.Serial.WaitForStateAsync("Door:0");
        b.Serial.SendRaw((byte)'~');
        var idle = await b.Serial.WaitForStateAsync("Idle");
        Assert.StartsWith("<Idle|MPos:-20.000", idle);
    }

    [Fact]
    public async Task Jog_cancel_byte_stops_a_jog_and_returns_to_idle()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        using (await b.CommandThenHoldAtAsync("$J=G91 X-30 F300", TimeSpan.FromSeconds(1)))
        {
            Assert.StartsWith("<Jog|", await b.Serial.StatusAsync());
            b.Serial.SendRaw(0x85);
            Assert.StartsWith("<Jog|", await b.Serial.StatusAsync()); // decelerating
        }
        var idle = await b.Serial.WaitForStateAsync("Idle");
        Assert.InRange(SerialSession.Mpos(idle)[0], -30.5, -1.001);
        Assert.True(SerialSession.Mpos(idle)[0] > -30.5);
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G0 X-2"));
        Assert.StartsWith("<Idle|MPos:-2.000", await b.Serial.WaitForStateAsync("Idle"));
    }
}
