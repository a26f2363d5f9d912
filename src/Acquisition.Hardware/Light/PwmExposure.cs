namespace Acquisition.Hardware.Light;

/// <summary>
/// PWM ripple and exposure: an exposure that spans a whole number of PWM periods collects the same light whatever
/// phase it starts at; any remainder makes frame brightness depend on that phase, which moves focus measures.
/// </summary>
public static class PwmExposure
{
    /// <summary>The nearest whole multiple of <paramref name="period"/> (at least one), or the exposure itself for DC light.</summary>
    public static TimeSpan RoundToWholePeriods(TimeSpan exposure, TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
        {
            return exposure;
        }
        var periods = Math.Max(1, Math.Round(exposure.Ticks / (double)period.Ticks));
        return TimeSpan.FromTicks((long)Math.Round(periods * period.Ticks));
    }

    /// <summary>
    /// The worst-case relative brightness change between frames caused by start phase, for a square-wave PWM of
    /// <paramref name="duty"/>: the remainder of the exposure after whole periods collects between 0 and
    /// min(remainder, on-time) of light.
    /// </summary>
    public static double WorstCaseRipple(TimeSpan exposure, TimeSpan period, double duty)
    {
        if (period <= TimeSpan.Zero || duty is <= 0 or >= 1)
        {
            return 0;
        }
        var p = period.TotalSeconds;
        var e = exposure.TotalSeconds;
        var remainder = e - Math.Floor(e / p) * p;
        var on = duty * p;
        var off = p - on;
        var spread = Math.Max(0, Math.Min(remainder, on) - Math.Max(0, remainder - off));
        return spread / (duty * e);
    }
}
