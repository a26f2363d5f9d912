namespace Acquisition.Hardware.Grbl;

/// <summary>
/// Watches the stage's serial reader from the other end of the line. A simulator on a virtual clock uses it to tell
/// that a reply the station has already taken from the port is still being handled, so that time does not jump to a
/// round-trip bound meanwhile. Real hardware has no observer.
/// </summary>
public interface ISerialReaderObserver
{
    /// <summary>The port has just been opened and nothing has been read from it yet.</summary>
    ISerialReaderSession Opened();
}
