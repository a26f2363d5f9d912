namespace Acquisition.Hardware.Grbl;

/// <summary>
/// The duration of a straight move under GRBL's planner limits: the path rate and acceleration are the largest that
/// keep every axis within its own $11x maximum rate and $12x acceleration, and the profile is a trapezoid (or a
/// triangle when the move is too short to reach full speed).
/// </summary>
public static class TrapezoidProfile
{
    /// <param name="deltaMillimetres">Per-axis displacement.</param>
    /// <param name="maxRateMillimetresPerMinute">Per-axis $110..$112.</param>
    /// <param name="accelerationMillimetresPerSecondSquared">Per-axis $120..$122.</param>
    /// <param name="feedMillimetresPerMinute">Requested feed (null for a rapid G0).</param>
    public static TimeSpan Duration(
        IReadOnlyList<double> deltaMillimetres,
        IReadOnlyList<double> maxRateMillimetresPerMinute,
        IReadOnlyList<double> accelerationMillimetresPerSecondSquared,
        double? feedMillimetresPerMinute = null)
    {
        var length = Math.Sqrt(deltaMillimetres.Sum(d => d * d));
        if (length <= 0)
        {
            return TimeSpan.Zero;
        }
        var rate = feedMillimetresPerMinute ?? double.PositiveInfinity;
        var accel = double.PositiveInfinity;
        for (var i = 0; i < deltaMillimetres.Count; i++)
        {
            var unit = Math.Abs(deltaMillimetres[i]) / length;
            if (unit <= 0)
            {
                continue;
            }
            rate = Math.Min(rate, maxRateMillimetresPerMinute[i] / unit);
            accel = Math.Min(accel, accelerationMillimetresPerSecondSquared[i] / unit);
        }
        var v = rate / 60.0; // mm/s
        var rampDistance = v * v / accel; // accelerate and decelerate together
        var seconds = length >= rampDistance
            ? length / v + v / accel
            : 2 * Math.Sqrt(length / accel);
        return TimeSpan.FromSeconds(seconds);
    }
}
