namespace Acquisition.Hardware.Grbl;

/// <summary>One opening of the port, as seen by an <see cref="ISerialReaderObserver"/>.</summary>
public interface ISerialReaderSession
{
    /// <summary>
    /// <paramref name="bytesHandled"/> bytes (counted from the opening) have been read and every complete line in them
    /// routed: the replies they carried have completed their waiters.
    /// </summary>
    void Handled(long bytesHandled);

    /// <summary>The reader stopped (port closed or lost); nothing more is read in this session.</summary>
    void Closed();
}
