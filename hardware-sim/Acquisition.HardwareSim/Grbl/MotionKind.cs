namespace Acquisition.HardwareSim.Grbl;

/// <summary>Why a block moves, which decides the machine state and whether hard limits watch it.</summary>
internal enum MotionKind
{
    Feed,
    Jog,
    Homing,
    Decelerate,
}
