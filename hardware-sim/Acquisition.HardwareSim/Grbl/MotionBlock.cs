namespace Acquisition.HardwareSim.Grbl;

/// <summary>One straight planner block in step space, with its velocity profile.</summary>
internal sealed class MotionBlock
{
    public MotionBlock(long[] startSteps, long[] endSteps, double[] stepsPerMm, double rateMmPerMin,
        double[] maxRateMmPerMin, double[] accelMmPerS2, double entryMmPerS, MotionKind kind)
    {
        StartSteps = startSteps;
        EndSteps = endSteps;
        StepsPerMm = stepsPerMm;
        Kind = kind;
        RateMmPerMin = rateMmPerMin;
        var delta = new double[3];
        double lengthSq = 0;
        for (var i = 0; i < 3; i++)
        {
            delta[i] = (endSteps[i] - startSteps[i]) / stepsPerMm[i];
            lengthSq += delta[i] * delta[i];
        }
        var length = Math.Sqrt(lengthSq);
        Unit = new double[3];
        var rate = rateMmPerMin / 60.0;
        var accel = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            if (length == 0 || delta[i] == 0)
            {
                continue;
            }
            Unit[i] = delta[i] / length;
            // GRBL limits the block so that no axis exceeds its own rate and acceleration.
            rate = Math.Min(rate, maxRateMmPerMin[i] / 60.0 / Math.Abs(Unit[i]));
            accel = Math.Min(accel, accelMmPerS2[i] / Math.Abs(Unit[i]));
        }
        if (accel == double.MaxValue)
        {
            accel = accelMmPerS2.Min();
        }
        Profile = new TrapezoidProfile(length, entryMmPerS, Math.Max(rate, 1e-9), accel);
    }

    public long[] StartSteps { get; }
    public long[] EndSteps { get; }
    public double[] StepsPerMm { get; }
    public double[] Unit { get; }
    public TrapezoidProfile Profile { get; }
    public MotionKind Kind { get; }
    public double RateMmPerMin { get; }

    /// <summary>Set when the block starts executing (UTC ticks on the simulation clock).</summary>
    public long StartTicks { get; set; }

    public long EndTicks => StartTicks + Profile.Duration.Ticks;

    /// <summary>Runs (under the controller's lock) when the block completes; homing chains its phases with it.</summary>
    public Action? OnComplete { get; init; }

    public double SecondsAt(long ticks) => Math.Max(0, (ticks - StartTicks) / (double)TimeSpan.TicksPerSecond);

    /// <summary>Step counters at <paramref name="ticks"/>, as a stepper driver that issued steps along the profile has them.</summary>
    public long[] StepsAt(long ticks)
    {
        var result = new long[3];
        var fraction = Profile.LengthMm == 0 ? 1 : Profile.DistanceAt(SecondsAt(ticks)) / Profile.LengthMm;
        if (ticks >= EndTicks)
        {
            fraction = 1;
        }
        for (var i = 0; i < 3; i++)
        {
            result[i] = StartSteps[i] + (long)Math.Round((EndSteps[i] - StartSteps[i]) * fraction, MidpointRounding.AwayFromZero);
        }
        return result;
    }

    public double SpeedMmPerSAt(long ticks) => Profile.SpeedAt(SecondsAt(ticks));
}
