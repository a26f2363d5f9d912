namespace Acquisition.HardwareSim.Grbl;

/// <summary>GRBL 1.1's machine states as the status report names them.</summary>
public enum GrblMachineState
{
    Idle,
    Run,
    Hold,
    Jog,
    Home,
    Alarm,
    Door,
    Check,
    Sleep,
}
