namespace Acquisition.HardwareSim.Clock;

/// <summary>How the simulation clock relates to the wall clock.</summary>
public enum ClockMode
{
    /// <summary>Time stands still until every party waits, then jumps to the next scheduled timer.</summary>
    Virtual,

    /// <summary>The wall clock, except while the simulator holds a pause (rendering is not the station's cost).</summary>
    RealTime,
}
