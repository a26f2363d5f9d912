using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Pwm;

namespace Acquisition.HardwareSim;

/// <summary>The emitted light at a moment, with each channel's PWM (duty and period), so ripple against an exposure can be judged.</summary>
public sealed record LightingDetail(LightingState Lighting, IReadOnlyList<PwmOutput> Segments, PwmOutput Coaxial)
{
    /// <summary>The longest PWM period among lit channels (zero when all are steady).</summary>
    public TimeSpan PwmPeriod => Segments.Append(Coaxial).Select(o => o.Period).DefaultIfEmpty(TimeSpan.Zero).Max();
}
