namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// The hidden mechanics of one axis at a moment: how the motor's steps map to the carriage (anchor, scale error),
/// steps lost on a stall, and the backlash play between motor and carriage.
/// </summary>
/// <param name="AnchorSteps">A true step count whose physical position is known...</param>
/// <param name="AnchorPhysMm">...namely this motor position, mm in the ideal machine frame.</param>
/// <param name="LostSteps">Reported minus true steps, from stalls so far.</param>
/// <param name="FrozenTrueSteps">While stalled: the true step count the motor is stuck at.</param>
/// <param name="CarriageMm">The carriage position when this snapshot was taken (differs from the motor by the backlash play).</param>
internal readonly record struct AxisTruth(long AnchorSteps, double AnchorPhysMm, long LostSteps, long? FrozenTrueSteps, double CarriageMm);
