namespace Acquisition.Station.Configuration;

/// <summary>How the simulator's clock runs in the sim profile.</summary>
public enum SimulatorClock
{
    /// <summary>Like hardware: moves and homing take their real time.</summary>
    RealTime,

    /// <summary>Time jumps whenever everyone waits: a homing that takes 6 s on the bench takes a fraction of that.</summary>
    Virtual,
}
