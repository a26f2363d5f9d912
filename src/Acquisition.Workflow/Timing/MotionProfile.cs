using Acquisition.Core.Hardware;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Timing;

/// <summary>
/// The stage's motion limits and settle behaviour, used for the physical floor: what the moves must take at the
/// configured rates and accelerations, however good the software is.
/// </summary>
public sealed class MotionProfile
{
    // Defaults are firmware-config/grbl-settings.txt ($110–$112, $120–$122).
    public AxisMotionProfile X { get; set; } = new() { MaxRateMillimetresPerMinute = 500, AccelerationMillimetresPerSecondSquared = 10 };
    public AxisMotionProfile Y { get; set; } = new() { MaxRateMillimetresPerMinute = 500, AccelerationMillimetresPerSecondSquared = 10 };
    public AxisMotionProfile Z { get; set; } = new() { MaxRateMillimetresPerMinute = 200, AccelerationMillimetresPerSecondSquared = 5 };

    /// <summary>Time the stage is left still after the controller reports a move done.</summary>
    public TimeSpan Settle { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How far below its target a downward Z move goes first, so Z is always approached from below.</summary>
    public Micrometres ZLeadIn { get; set; } = new(50);

    public AxisMotionProfile Of(Axis axis) => axis switch
    {
        Axis.X => X,
        Axis.Y => Y,
        _ => Z,
    };

    /// <summary>Trapezoidal (or triangular) profile time of a straight move, limited by its slowest axis.</summary>
    public TimeSpan MoveTime(StagePosition start, StagePosition to)
    {
        double seconds = 0;
        foreach (var axis in new[] { Axis.X, Axis.Y, Axis.Z })
        {
            var distanceMm = Math.Abs((to[axis] - start[axis]).Millimetres);
            if (distanceMm == 0)
            {
                continue;
            }
            var p = Of(axis);
            var v = p.MaxRateMillimetresPerMinute / 60.0;
            var a = p.AccelerationMillimetresPerSecondSquared;
            var t = distanceMm >= v * v / a ? (distanceMm / v) + (v / a) : 2 * Math.Sqrt(distanceMm / a);
            seconds = Math.Max(seconds, t);
        }
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The moves a from-below Z approach needs: straight up, or down past the target by the lead-in and back up.</summary>
    public TimeSpan ZFromBelowTime(StagePosition start, Micrometres z)
    {
        var target = start with { Z = z };
        if (z >= start.Z)
        {
            return MoveTime(start, target);
        }
        var below = start with { Z = z - ZLeadIn };
        return MoveTime(start, below) + MoveTime(below, target);
    }

    public void Validate()
    {
        foreach (var axis in new[] { Axis.X, Axis.Y, Axis.Z })
        {
            var p = Of(axis);
            if (p.MaxRateMillimetresPerMinute <= 0 || p.AccelerationMillimetresPerSecondSquared <= 0)
            {
                throw new InvalidOperationException($"Motion profile of axis {axis}: rate and acceleration must be above zero.");
            }
        }
        if (Settle < TimeSpan.Zero || ZLeadIn.Value < 0)
        {
            throw new InvalidOperationException("Motion profile: settle time and Z lead-in must not be negative.");
        }
    }
}
