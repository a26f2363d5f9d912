namespace Acquisition.HardwareSim.Grbl;

/// <summary>A stretch of time in which the axes did one thing (one block, or rest), with the truth that held in it.</summary>
internal sealed class ExecutionRecord(MotionBlock? block, long[] restSteps, long fromTicks, AxisTruth[] truth)
{
    public MotionBlock? Block { get; } = block;
    public long[] RestSteps { get; } = restSteps;
    public long FromTicks { get; } = fromTicks;
    public long? ToTicks { get; set; }
    public AxisTruth[] Truth { get; } = truth;

    public long[] ReportedStepsAt(long ticks)
    {
        var t = ToTicks is { } end ? Math.Min(ticks, end) : ticks;
        return Block?.StepsAt(Math.Max(t, FromTicks)) ?? RestSteps;
    }
}
