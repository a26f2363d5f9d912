namespace Acquisition.Hardware.Grbl;

/// <summary>One opening of the port, as seen by an <see cref="ISerialReaderObserver"/>.</summary>
public interface ISerialReaderSession
{
    /// <summary>
    /// The stage is about to hand bytes to the port: once this write returns, <paramref name="bytesWritten"/> bytes
    /// (counted from the opening) will have been written. Called before the write, so that an observer can count a
    /// request as in flight from before it leaves the station until the other end has taken it: between
    /// <c>write()</c> and the far end's <c>read()</c> a pty keeps bytes in a kernel buffer that <c>FIONREAD</c> does
    /// not see. A write that fails is reported again with the count before it.
    /// </summary>
    void Writing(long bytesWritten);

    /// <summary>
    /// <paramref name="bytesHandled"/> bytes (counted from the opening) have been read and every complete line in them
    /// routed: the replies they carried have completed their waiters.
    /// </summary>
    void Handled(long bytesHandled);

    /// <summary>The reader stopped (port closed or lost); nothing more is read in this session.</summary>
    void Closed();
}
