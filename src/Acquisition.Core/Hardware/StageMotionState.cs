namespace Acquisition.Core.Hardware;

/// <summary>The controller's machine state, as GRBL reports it.</summary>
public enum StageMotionState
{
    Unknown,
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
