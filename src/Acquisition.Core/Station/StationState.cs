namespace Acquisition.Core.Station;

public enum StationState
{
    Starting,
    Homing,
    Ready,
    Capturing,
    Fault,
    Stopping,

    /// <summary>
    /// A service diagnostic (snapshot, autofocus, self-test) holds the camera, lights and stage; a capture must wait.
    /// Last, so the earlier values keep their numbers.
    /// </summary>
    Servicing,
}
