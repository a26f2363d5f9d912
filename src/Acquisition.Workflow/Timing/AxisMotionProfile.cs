namespace Acquisition.Workflow.Timing;

/// <summary>One axis's motion limits, as configured in the controller ($110–$112 and $120–$122 on GRBL).</summary>
public sealed class AxisMotionProfile
{
    public double MaxRateMillimetresPerMinute { get; set; } = 600;
    public double AccelerationMillimetresPerSecondSquared { get; set; } = 50;
}
