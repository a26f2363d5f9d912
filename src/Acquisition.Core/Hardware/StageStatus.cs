namespace Acquisition.Core.Hardware;

/// <summary>A snapshot of the stage as the controller reports it.</summary>
/// <param name="State">The machine state.</param>
/// <param name="Position">The reported machine position. GRBL is open loop: this follows commands, not the true position.</param>
/// <param name="IsHomed">False until homing succeeded, and again after a reset, an alarm or motors off.</param>
/// <param name="LimitPins">Which limit or door inputs are active (GRBL's Pn field), for diagnostics.</param>
/// <param name="At">When the report was received (UTC, from the station's clock).</param>
public sealed record StageStatus(
    StageMotionState State,
    StagePosition Position,
    bool IsHomed,
    string LimitPins,
    DateTimeOffset At);
