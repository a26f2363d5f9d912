using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Workflow.Timing;

namespace Acquisition.Workflow.Tests;

public sealed class TimingTests
{
    [Fact]
    public void A_long_move_cruises_and_a_short_one_is_triangular()
    {
        var p = new MotionProfile { Z = new AxisMotionProfile { MaxRateMillimetresPerMinute = 300, AccelerationMillimetresPerSecondSquared = 50 } };
        // Z: 300 mm/min = 5 mm/s, 50 mm/s²: 1 mm needs 1/5 + 5/50 = 0.3 s; 2 µm is triangular: 2·sqrt(0.002/50) s.
        Assert.Equal(0.3, p.MoveTime(StagePosition.Origin, StagePosition.FromMicrometres(0, 0, 1000)).TotalSeconds, 6);
        Assert.Equal(2 * Math.Sqrt(0.002 / 50), p.MoveTime(StagePosition.Origin, StagePosition.FromMicrometres(0, 0, 2)).TotalSeconds, 6);
    }

    [Fact]
    public void A_downward_z_approach_counts_the_lead_in_both_ways()
    {
        var p = new MotionProfile { ZLeadIn = new Micrometres(20) };
        var start = StagePosition.FromMicrometres(0, 0, 100);
        var expected = p.MoveTime(start, start with { Z = new(30) }) + p.MoveTime(start with { Z = new(30) }, start with { Z = new(50) });
        Assert.Equal(expected, p.ZFromBelowTime(start, new Micrometres(50)));
    }

    [Fact]
    public void The_floor_adds_moves_settles_exposures_and_frame_waits()
    {
        var p = new MotionProfile { Settle = TimeSpan.FromMilliseconds(30), Z = new AxisMotionProfile { MaxRateMillimetresPerMinute = 300, AccelerationMillimetresPerSecondSquared = 50 } };
        var ledger = new TimingLedger(p);
        ledger.MoveZFromBelow(StagePosition.Origin, new Micrometres(1000));
        var t0 = DateTimeOffset.UnixEpoch;
        ledger.Frame(t0, new Frame(2, 2, PixelFormat.Mono8, new byte[4], 1, t0.AddMilliseconds(12), TimeSpan.FromMilliseconds(5)));
        var report = ledger.Report(TimeSpan.FromSeconds(0.5));
        Assert.Equal(0.3 + 0.03 + 0.005 + 0.012, report.Floor.TotalSeconds, 6);
        Assert.Equal(0.5 / 0.347, report.Ratio, 6);
    }
}
