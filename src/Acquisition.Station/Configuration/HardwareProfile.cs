namespace Acquisition.Station.Configuration;

/// <summary>Where the station's devices come from.</summary>
public enum HardwareProfile
{
    /// <summary>The real drivers on the station's serial port, GPIO, I2C and camera.</summary>
    Real,

    /// <summary>The hardware simulator's bench, in-process, driven through the real drivers.</summary>
    Sim,

    /// <summary>
    /// In-memory stand-ins that obey the Core interfaces without any timing or optics: for exercising the host
    /// itself (start, stop, control API) where no simulator is built in. Not a simulator; proves nothing about drivers.
    /// </summary>
    Fake,
}
