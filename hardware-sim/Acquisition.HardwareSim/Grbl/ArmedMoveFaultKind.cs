namespace Acquisition.HardwareSim.Grbl;

public enum ArmedMoveFaultKind
{
    /// <summary>The axis's motor loses every step from that point (as the "stall-x/y/z" fault).</summary>
    Stall,

    /// <summary>The controller reboots mid-move (as the "controller-reset" fault): banner, position lost.</summary>
    ControllerReset,
}
