namespace Acquisition.Core.Hardware;

/// <summary>What the operator panel's LEDs show.</summary>
public enum StatusIndicator
{
    Off,
    Ready,
    Busy,
    Fault,
}
