namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// A velocity profile along one straight block: from an entry speed, accelerate to the cruise speed (or the
/// highest reachable), cruise, decelerate to rest at the end. Units mm, s.
/// </summary>
public readonly record struct TrapezoidProfile
{
    public TrapezoidProfile(double lengthMm, double entryMmPerS, double cruiseMmPerS, double accelMmPerS2)
    {
        if (lengthMm < 0 || cruiseMmPerS <= 0 || accelMmPerS2 <= 0 || entryMmPerS < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthMm), "Profile needs L ≥ 0, v > 0, a > 0, entry ≥ 0.");
        }
        LengthMm = lengthMm;
        EntryMmPerS = entryMmPerS;
        AccelMmPerS2 = accelMmPerS2;
        var v0 = entryMmPerS;
        var vc = Math.Max(cruiseMmPerS, v0);
        var dAcc = (vc * vc - v0 * v0) / (2 * accelMmPerS2);
        var dDec = vc * vc / (2 * accelMmPerS2);
        double peak;
        if (dAcc + dDec <= lengthMm)
        {
            peak = vc;
        }
        else
        {
            peak = Math.Sqrt((2 * accelMmPerS2 * lengthMm + v0 * v0) / 2);
        }
        if (peak < v0)
        {
            // Entering too fast to stop within the block (a feed hold near a block's end): brake harder.
            peak = v0;
        }
        PeakMmPerS = peak;
        DecelMmPerS2 = lengthMm > 0 && peak > 0
            ? Math.Max(accelMmPerS2, peak * peak / (2 * lengthMm))
            : accelMmPerS2;
        AccelTimeS = (peak - v0) / accelMmPerS2;
        AccelDistanceMm = (peak * peak - v0 * v0) / (2 * accelMmPerS2);
        DecelTimeS = peak / DecelMmPerS2;
        DecelDistanceMm = peak * peak / (2 * DecelMmPerS2);
        CruiseDistanceMm = Math.Max(0, lengthMm - AccelDistanceMm - DecelDistanceMm);
        CruiseTimeS = peak > 0 ? CruiseDistanceMm / peak : 0;
    }

    public double LengthMm { get; }
    public double EntryMmPerS { get; }
    public double AccelMmPerS2 { get; }
    public double DecelMmPerS2 { get; }
    public double PeakMmPerS { get; }
    public double AccelTimeS { get; }
    public double AccelDistanceMm { get; }
    public double CruiseTimeS { get; }
    public double CruiseDistanceMm { get; }
    public double DecelTimeS { get; }
    public double DecelDistanceMm { get; }

    public double DurationS => LengthMm == 0 ? 0 : AccelTimeS + CruiseTimeS + DecelTimeS;

    public TimeSpan Duration => TimeSpan.FromTicks((long)Math.Ceiling(DurationS * TimeSpan.TicksPerSecond));

    /// <summary>Time of a block of length L from rest to rest at cruise v and acceleration a.</summary>
    public static double RestToRestSeconds(double lengthMm, double cruiseMmPerS, double accelMmPerS2) =>
        new TrapezoidProfile(lengthMm, 0, cruiseMmPerS, accelMmPerS2).DurationS;

    public double DistanceAt(double tS)
    {
        if (tS <= 0 || LengthMm == 0)
        {
            return 0;
        }
        if (tS < AccelTimeS)
        {
            return EntryMmPerS * tS + 0.5 * AccelMmPerS2 * tS * tS;
        }
        tS -= AccelTimeS;
        if (tS < CruiseTimeS)
        {
            return AccelDistanceMm + PeakMmPerS * tS;
        }
        tS -= CruiseTimeS;
        if (tS < DecelTimeS)
        {
            return Math.Min(LengthMm,
                AccelDistanceMm + CruiseDistanceMm + PeakMmPerS * tS - 0.5 * DecelMmPerS2 * tS * tS);
        }
        return LengthMm;
    }

    public double SpeedAt(double tS)
    {
        if (LengthMm == 0 || tS < 0 || tS >= DurationS)
        {
            return 0;
        }
        if (tS < AccelTimeS)
        {
            return EntryMmPerS + AccelMmPerS2 * tS;
        }
        tS -= AccelTimeS;
        if (tS < CruiseTimeS)
        {
            return PeakMmPerS;
        }
        tS -= CruiseTimeS;
        return Math.Max(0, PeakMmPerS - DecelMmPerS2 * tS);
    }

    /// <summary>The first time the distance travelled reaches <paramref name="distanceMm"/> (bisection; the distance is monotone).</summary>
    public double TimeAtDistance(double distanceMm)
    {
        if (distanceMm <= 0)
        {
            return 0;
        }
        if (distanceMm >= LengthMm)
        {
            return DurationS;
        }
        double lo = 0, hi = DurationS;
        for (var i = 0; i < 60; i++)
        {
            var mid = (lo + hi) / 2;
            if (DistanceAt(mid) < distanceMm)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return hi;
    }
}
