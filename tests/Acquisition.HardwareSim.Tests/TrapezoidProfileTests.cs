using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

public sealed class TrapezoidProfileTests
{
    [Fact]
    public void Short_move_is_a_triangle_and_long_move_a_trapezoid()
    {
        var tri = new TrapezoidProfile(1, 0, 10, 10); // needs 10 mm to reach 10 mm/s: peak sqrt(a·L)
        Assert.Equal(Math.Sqrt(10), tri.PeakMmPerS, 9);
        Assert.Equal(2 * Math.Sqrt(1 / 10.0), tri.DurationS, 9);
        var trap = new TrapezoidProfile(30, 0, 10, 10);
        Assert.Equal(1 + 2 + 1, trap.DurationS, 9); // 1 s ramps over 5 mm each, 20 mm cruise
        Assert.Equal(15, trap.DistanceAt(trap.DurationS / 2), 9);
        Assert.Equal(30, trap.DistanceAt(100), 9);
        Assert.Equal(2, trap.TimeAtDistance(15), 6);
    }
}
