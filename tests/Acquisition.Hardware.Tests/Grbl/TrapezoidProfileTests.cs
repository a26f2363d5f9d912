using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Grbl;

public class TrapezoidProfileTests
{
    [Fact]
    public void Long_move_reaches_full_speed()
    {
        // 10 mm at 500 mm/min (8.33 mm/s) and 10 mm/s²: 10/8.333 + 8.333/10 = 2.0333 s.
        var t = TrapezoidProfile.Duration([10, 0, 0], [500, 500, 500], [10, 10, 10]);
        Assert.Equal(2.0333, t.TotalSeconds, 3);
    }

    [Fact]
    public void Short_move_is_a_triangle()
    {
        var t = TrapezoidProfile.Duration([1, 0, 0], [500, 500, 500], [10, 10, 10]);
        Assert.Equal(2 * Math.Sqrt(0.1), t.TotalSeconds, 6);
    }

    [Fact]
    public void The_slowest_axis_limits_a_diagonal()
    {
        // Z limited to 200 mm/min and 5 mm/s² dominates a move with equal X and Z parts.
        var diagonal = TrapezoidProfile.Duration([5, 0, 5], [500, 500, 200], [10, 10, 5]);
        var zAlone = TrapezoidProfile.Duration([0, 0, 5], [500, 500, 200], [10, 10, 5]);
        Assert.Equal(zAlone.TotalSeconds, diagonal.TotalSeconds, 6);
    }

    [Fact]
    public void No_move_takes_no_time()
    {
        Assert.Equal(TimeSpan.Zero, TrapezoidProfile.Duration([0, 0, 0], [500, 500, 500], [10, 10, 10]));
    }
}
