using Acquisition.Core.Hardware;

namespace Acquisition.Core.Control;

/// <summary>The stage as the motion controller reports it.</summary>
/// <param name="LimitPins">Active limit/door inputs (GRBL's Pn field), empty when none.</param>
public sealed record StageReport(StageMotionState State, bool IsHomed, PositionMicrometres Position, string LimitPins);
