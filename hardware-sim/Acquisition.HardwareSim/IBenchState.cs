using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim;

/// <summary>
/// What the simulated camera needs to know of the rest of the bench: the one clock, where the stage truly is
/// (including the hidden backlash, scale error and lost steps the controller cannot see) and what the lights do.
/// The bench composes the motion controller and the light drivers behind this.
/// </summary>
public interface IBenchState
{
    TimeProvider Clock { get; }

    /// <summary>The stage's true mechanical position at <paramref name="at"/> (machine coordinates, µm).</summary>
    StagePosition TruePositionAt(DateTimeOffset at);

    /// <summary>The light actually emitted at <paramref name="at"/> (after PWM duty, per segment, 0–1).</summary>
    LightingState LightingAt(DateTimeOffset at);
}
