namespace Acquisition.Core.Hardware;

/// <summary>The segmented ring light plus the coaxial light.</summary>
public interface IRingLight
{
    int SegmentCount { get; }

    LightingState Current { get; }

    /// <summary>The PWM period, so that exposures can be whole multiples of it (or zero when the light is DC).</summary>
    TimeSpan PwmPeriod { get; }

    Task SetAsync(LightingState state, CancellationToken cancellationToken);

    /// <summary>The safe state: every channel off.</summary>
    Task AllOffAsync(CancellationToken cancellationToken);
}
