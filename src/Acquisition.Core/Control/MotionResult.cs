namespace Acquisition.Core.Control;

/// <summary>The answer to home, jog and move: where the stage is once the move has finished.</summary>
public sealed record MotionResult(PositionMicrometres Position, bool IsHomed);
