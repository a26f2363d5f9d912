namespace Acquisition.HardwareSim.Clock;

/// <summary>Settings of the one bench clock.</summary>
public sealed class SimulationClockOptions
{
    public ClockMode Mode { get; set; } = ClockMode.Virtual;

    /// <summary>The simulated UTC time at start. Null: 2026-01-01T00:00:00Z in virtual mode (reproducible), the wall clock in real time.</summary>
    public DateTimeOffset? Start { get; set; }

    /// <summary>The start time that applies to <see cref="Mode"/>.</summary>
    public DateTimeOffset EffectiveStart => Start ?? (Mode == ClockMode.Virtual
        ? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)
        : DateTimeOffset.UtcNow);

    /// <summary>
    /// Virtual mode: jump only when nothing happened for this long in real time (no lease taken or released, no
    /// timer created or changed, no serial byte moved). Covers the station's own computation between reading a
    /// reply and acting on it, which the clock cannot see.
    /// </summary>
    public TimeSpan QuiescenceWindow { get; set; } = TimeSpan.FromMilliseconds(15);

    /// <summary>
    /// Virtual mode: true starts a scheduler thread that jumps by itself; false leaves jumps to
    /// <see cref="SimulationClock.Advance"/> and <see cref="SimulationClock.AdvanceToNextTimer"/> (pure unit tests).
    /// </summary>
    public bool AutoAdvance { get; set; } = true;

    public void Validate()
    {
        if (Start is { } start && start.Offset != TimeSpan.Zero)
        {
            throw new ArgumentException($"SimulationClock: Start must be UTC (offset 0), got {start:O}. Give a UTC time.");
        }
        if (QuiescenceWindow < TimeSpan.Zero || QuiescenceWindow > TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException(
                $"SimulationClock: QuiescenceWindow {QuiescenceWindow} is outside 0–5 s. Use a few milliseconds.");
        }
    }
}
