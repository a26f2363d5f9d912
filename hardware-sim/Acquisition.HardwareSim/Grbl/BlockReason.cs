namespace Acquisition.HardwareSim.Grbl;

/// <summary>Why the line being executed cannot answer yet (GRBL's protocol loop is stuck in that line).</summary>
internal enum BlockReason
{
    PlannerFull,
    DwellAfterDrain,
    Dwelling,
    Homing,
    Halted,
}
