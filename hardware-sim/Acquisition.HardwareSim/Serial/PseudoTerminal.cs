using System.Text;

namespace Acquisition.HardwareSim.Serial;

/// <summary>
/// A pseudo-terminal pair: the simulator owns the master side, the station opens <see cref="SlavePath"/> with a
/// real <c>System.IO.Ports.SerialPort</c>. The slave is in raw mode (no echo, no line editing, 8 bits clean).
/// </summary>
/// <remarks>
/// The simulator keeps its own slave descriptor open for the lifetime of the pair: it keeps the master readable
/// when the station closes and reopens the port, and it lets <see cref="BytesUnreadByStation"/> ask the kernel how
/// many bytes the station has not read yet.
/// </remarks>
public sealed unsafe class PseudoTerminal : IDisposable
{
    private readonly int _master;
    private readonly int _slave;
    private readonly object _writeGate = new();
    private Thread? _reader;
    private volatile bool _stopping;
    private bool _disposed;

    public PseudoTerminal()
    {
        if (PtyNative.openpty(out _master, out _slave, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero) != 0)
        {
            throw PtyNative.Fail("openpty");
        }
        try
        {
            MakeRaw(_slave);
            MakeRaw(_master);
            var flags = PtyNative.fcntl(_master, PtyNative.F_GETFL, 0);
            if (flags < 0 || PtyNative.fcntl(_master, PtyNative.F_SETFL, flags | PtyNative.O_NONBLOCK) < 0)
            {
                throw PtyNative.Fail("fcntl(O_NONBLOCK) on the pty master");
            }
            var name = stackalloc byte[256];
            var rc = PtyNative.ttyname_r(_slave, name, 256);
            if (rc != 0)
            {
                throw new IOException($"ttyname_r on the pty slave failed: error {rc}.");
            }
            SlavePath = Encoding.ASCII.GetString(new ReadOnlySpan<byte>(name, 256)[..new ReadOnlySpan<byte>(name, 256).IndexOf((byte)0)]);
        }
        catch
        {
            PtyNative.close(_slave);
            PtyNative.close(_master);
            throw;
        }
    }

    /// <summary>The path the station opens, e.g. /dev/pts/7.</summary>
    public string SlavePath { get; }

    /// <summary>Bytes the station wrote that the simulator has not read yet.</summary>
    public int BytesUnreadBySimulator => QueueLength(_master);

    /// <summary>Bytes the simulator wrote that the station has not read yet.</summary>
    public int BytesUnreadByStation => QueueLength(_slave);

    /// <summary>Starts the reader thread.</summary>
    /// <param name="onReceived">Called on the reader thread with every chunk the station writes.</param>
    /// <param name="enterBusy">Optional: a clock lease taken before each read and released after the callback, so a
    /// virtual clock cannot jump between the kernel handing over bytes and the simulator acting on them.</param>
    public void Start(Action<ReadOnlyMemory<byte>> onReceived, Func<IDisposable>? enterBusy = null)
    {
        ArgumentNullException.ThrowIfNull(onReceived);
        if (_reader is not null)
        {
            throw new InvalidOperationException("The pseudo-terminal reader is already running.");
        }
        _reader = new Thread(() => ReadLoop(onReceived, enterBusy)) { IsBackground = true, Name = "pty " + SlavePath };
        _reader.Start();
    }

    /// <summary>Writes to the station (blocks briefly if the station's input queue is full).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            fixed (byte* p = data)
            {
                var offset = 0;
                while (offset < data.Length)
                {
                    var n = PtyNative.write(_master, p + offset, data.Length - offset);
                    if (n > 0)
                    {
                        offset += (int)n;
                        continue;
                    }
                    var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == PtyNative.EAGAIN || errno == PtyNative.EINTR)
                    {
                        var pfd = new PtyNative.PollFd { Fd = _master, Events = PtyNative.POLLOUT };
                        PtyNative.poll(&pfd, 1, 100);
                        if (_stopping)
                        {
                            return;
                        }
                        continue;
                    }
                    throw PtyNative.Fail("write to the pty master");
                }
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _stopping = true;
        _reader?.Join(TimeSpan.FromSeconds(5));
        lock (_writeGate)
        {
            _disposed = true;
            PtyNative.close(_slave);
            PtyNative.close(_master);
        }
    }

    private static void MakeRaw(int fd)
    {
        var termios = stackalloc byte[PtyNative.TermiosBufferSize];
        if (PtyNative.tcgetattr(fd, termios) != 0)
        {
            throw PtyNative.Fail("tcgetattr on the pty");
        }
        PtyNative.cfmakeraw(termios);
        if (PtyNative.tcsetattr(fd, PtyNative.TCSANOW, termios) != 0)
        {
            throw PtyNative.Fail("tcsetattr(raw) on the pty");
        }
    }

    private int QueueLength(int fd)
    {
        if (_disposed)
        {
            return 0;
        }
        int count;
        return PtyNative.ioctl(fd, PtyNative.FIONREAD, &count) == 0 ? count : 0;
    }

    private void ReadLoop(Action<ReadOnlyMemory<byte>> onReceived, Func<IDisposable>? enterBusy)
    {
        var buffer = new byte[4096];
        while (!_stopping)
        {
            // Poll with a timeout rather than block in read, so that Dispose ends the thread promptly.
            var pfd = new PtyNative.PollFd { Fd = _master, Events = PtyNative.POLLIN };
            var ready = PtyNative.poll(&pfd, 1, 50);
            if (ready <= 0 || (pfd.Revents & PtyNative.POLLIN) == 0)
            {
                continue;
            }
            using var busy = enterBusy?.Invoke();
            nint n;
            fixed (byte* p = buffer)
            {
                n = PtyNative.read(_master, p, buffer.Length);
            }
            if (n > 0)
            {
                onReceived(buffer.AsMemory(0, (int)n).ToArray());
            }
        }
    }
}
