namespace Acquisition.Core.Station;

public enum StationState
{
    Starting,
    Homing,
    Ready,
    Capturing,
    Fault,
    Stopping,
}
