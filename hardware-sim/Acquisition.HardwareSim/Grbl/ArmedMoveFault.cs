using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Grbl;

/// <summary>A fault that waits for the next move: what happens, on which axis (for a stall), after how many µm.</summary>
public sealed record ArmedMoveFault(ArmedMoveFaultKind Kind, Axis Axis, double AfterMicrometres)
{
    public static ArmedMoveFault Stall(Axis axis, double afterMicrometres) => new(ArmedMoveFaultKind.Stall, axis, afterMicrometres);

    public static ArmedMoveFault ControllerReset(double afterMicrometres) => new(ArmedMoveFaultKind.ControllerReset, Axis.X, afterMicrometres);

    /// <summary>The bench fault name this fires as ("stall-z", "controller-reset").</summary>
    public string FaultName => Kind == ArmedMoveFaultKind.Stall ? BenchFaults.StallName(Axis) : "controller-reset";
}
