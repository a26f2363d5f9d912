using System.Diagnostics;
using Acquisition.Hardware.Grbl;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Serial;

namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// A <see cref="GrblController"/> served on a pseudo-terminal: open <see cref="PortPath"/> with
/// <c>new SerialPort(PortPath, 115200)</c>. Registers the pty's unread bytes with the clock, so that virtual time
/// does not jump while bytes are still in flight in either direction.
/// </summary>
/// <remarks>
/// With <paramref name="linkPath"/> the port is a symlink to the current pty, like a udev /dev/serial/by-id name:
/// <see cref="Unplug"/> removes the link and hangs up the pty (the station's reads fail, as when a USB cable is
/// pulled); <see cref="Replug"/> makes a new pty behind the same link and powers the controller up again.
/// </remarks>
public sealed class GrblPtyHost : ISerialReaderObserver, IDisposable
{
    private readonly object _gate = new();
    private readonly SimulationClock _clock;
    private readonly string? _linkPath;
    private readonly IDisposable _probe;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private PseudoTerminal? _pty;
    private PtyWrites? _writes;
    private ReaderSession? _reader;
    private int _lastUnreadByStation;
    private long _unreadChangedAtMs;

    public GrblPtyHost(SimulationClock clock, GrblOptions options, bool powerOn = true, string? linkPath = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _linkPath = linkPath;
        Controller = new GrblController(clock, options, Send);
        _probe = clock.AddBusyProbe(InFlight);
        Plug();
        if (powerOn)
        {
            Controller.PowerOn();
        }
    }

    /// <summary>The path for the station's SerialPort: the link when one was asked for, else the pty, e.g. /dev/pts/7.</summary>
    public string PortPath => _linkPath ?? PtyPath ?? throw new InvalidOperationException("The controller is unplugged.");

    /// <summary>The current pty's slave path (null while unplugged).</summary>
    public string? PtyPath
    {
        get
        {
            lock (_gate)
            {
                return _pty?.SlavePath;
            }
        }
    }

    public GrblController Controller { get; }

    /// <summary>
    /// Bytes the station has not read yet stop counting as "in flight" once they sat unchanged this long: nobody
    /// may have the port open (the power-up banner then waits in the queue for ever).
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The USB cable is pulled: the link disappears and the pty hangs up.</summary>
    public void Unplug()
    {
        PseudoTerminal? old;
        lock (_gate)
        {
            old = _pty;
            _pty = null;
            _writes = null;
        }
        if (_linkPath is not null)
        {
            File.Delete(_linkPath);
        }
        old?.Dispose();
        _clock.NoteActivity();
    }

    /// <summary>The cable is plugged back in: a new pty behind the same link, and the controller powers up (banner).</summary>
    public void Replug()
    {
        if (PtyPath is not null)
        {
            return;
        }
        Plug();
        Controller.PowerCycle();
    }

    public void Dispose()
    {
        _probe.Dispose();
        Unplug();
        Controller.Dispose();
    }

    private void Plug()
    {
        var pty = new PseudoTerminal();
        var writes = new PtyWrites();
        try
        {
            pty.Start(data =>
            {
                Trace?.Invoke("rx", System.Text.Encoding.ASCII.GetString(data.Span));
                Controller.Receive(data.Span);
                // Still under the reader's lease: the controller has acted on these bytes (and written its replies).
                Interlocked.Add(ref writes.Received, data.Length);
            }, _clock.Busy);
            if (_linkPath is not null)
            {
                var temp = _linkPath + ".new";
                File.Delete(temp);
                File.CreateSymbolicLink(temp, pty.SlavePath);
                File.Move(temp, _linkPath, overwrite: true);
            }
        }
        catch
        {
            pty.Dispose();
            throw;
        }
        lock (_gate)
        {
            _pty = pty;
            _writes = writes;
        }
    }

    /// <summary>
    /// The station opened the port (its reader has read nothing yet): from here, bytes it takes from the pty count as
    /// "in flight" until it reports them handled, and unread bytes never go stale (it will read them).
    /// </summary>
    public ISerialReaderSession Opened()
    {
        PseudoTerminal? pty;
        PtyWrites? writes;
        lock (_gate)
        {
            pty = _pty;
            writes = _writes;
        }
        ReaderSession session;
        if (pty is null || writes is null)
        {
            session = new ReaderSession(this, null, null, 0, 0);
        }
        else if (!Monitor.TryEnter(writes, TimeSpan.FromSeconds(1)))
        {
            // A write blocked on a full queue nobody reads: no exact baseline, so no accounting for this opening.
            session = new ReaderSession(this, null, null, 0, 0);
        }
        else
        {
            try
            {
                // Under the writes' lock: no write is half done, so written − unread is exactly what was consumed.
                // Bytes a former opening wrote that the simulator has not taken yet are counted as this opening's
                // (too low a baseline): they can only shorten a hold, never make one last for ever.
                session = new ReaderSession(this, pty, writes, writes.Count - pty.BytesUnreadByStation,
                    Interlocked.Read(ref writes.Received));
            }
            finally
            {
                Monitor.Exit(writes);
            }
        }
        lock (_gate)
        {
            _reader = session;
        }
        _clock.NoteActivity();
        return session;
    }

    /// <summary>Optional transcript hook: ("rx" | "tx", text) for every chunk read from or written to the pty.</summary>
    public Action<string, string>? Trace { get; set; }

    private void Send(byte[] bytes)
    {
        Trace?.Invoke("tx", System.Text.Encoding.ASCII.GetString(bytes));
        PseudoTerminal? pty;
        PtyWrites? writes;
        lock (_gate)
        {
            pty = _pty;
            writes = _writes;
        }
        _clock.NoteActivity();
        if (pty is null || writes is null)
        {
            return; // unplugged: the bytes go nowhere, as from a controller whose cable is out
        }
        try
        {
            lock (writes)
            {
                writes.Count += bytes.Length;
                pty.Write(bytes);
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private bool InFlight()
    {
        PseudoTerminal? pty;
        PtyWrites? writes;
        ReaderSession? reader;
        lock (_gate)
        {
            pty = _pty;
            writes = _writes;
            reader = _reader;
        }
        if (pty is null)
        {
            return false;
        }
        if (pty.BytesUnreadBySimulator > 0)
        {
            return true;
        }
        if (reader is { IsOpen: true } && ReferenceEquals(reader.Pty, pty) && writes is not null)
        {
            // The station's reader is open on this pty: every byte is in flight until it reports it handled, whether
            // still in the kernel's queue or already in its hands (the hop that a wall-clock quiet window cannot see).
            // Written is read before unread: a write in between only makes "consumed" smaller, and restarts the
            // clock's quiet window anyway.
            var written = Volatile.Read(ref writes.Count);
            var consumed = written - pty.BytesUnreadByStation - reader.Baseline;
            // The other way: what the station announced before writing and the simulator has not acted on yet. This
            // covers the hop FIONREAD on the master cannot see (a pty keeps freshly written bytes in a kernel flip
            // buffer until a kworker moves them on, which under load can take longer than the quiet window).
            var requested = reader.AnnouncedBytes - (Interlocked.Read(ref writes.Received) - reader.ReceivedBaseline);
            return pty.BytesUnreadByStation > 0 || consumed > reader.HandledBytes || requested > 0;
        }
        var unread = pty.BytesUnreadByStation;
        lock (_gate)
        {
            var nowMs = _wall.ElapsedMilliseconds;
            if (unread != _lastUnreadByStation)
            {
                _lastUnreadByStation = unread;
                _unreadChangedAtMs = nowMs;
            }
            return unread > 0 && nowMs - _unreadChangedAtMs < StaleAfter.TotalMilliseconds;
        }
    }

    /// <summary>Bytes written to and received (acted on) from one pty (a replug starts a new one).</summary>
    private sealed class PtyWrites
    {
        public long Count;
        public long Received;
    }

    private sealed class ReaderSession(GrblPtyHost host, PseudoTerminal? pty, PtyWrites? writes, long baseline, long receivedBaseline) : ISerialReaderSession
    {
        private long _handled;
        private long _announced;
        private int _closed;

        public PseudoTerminal? Pty { get; } = pty;

        public PtyWrites? Writes { get; } = writes;

        public long Baseline { get; } = baseline;

        public long HandledBytes => Interlocked.Read(ref _handled);

        /// <summary>Bytes the station said it is writing or has written in this opening.</summary>
        public long AnnouncedBytes => Interlocked.Read(ref _announced);

        /// <summary>What the simulator had received from the pty when this opening began.</summary>
        public long ReceivedBaseline { get; } = receivedBaseline;

        public void Writing(long bytesWritten)
        {
            Interlocked.Exchange(ref _announced, bytesWritten);
            host._clock.NoteActivity();
        }

        public bool IsOpen => Volatile.Read(ref _closed) == 0 && Pty is not null;

        public void Handled(long bytesHandled)
        {
            Interlocked.Exchange(ref _handled, bytesHandled);
            host._clock.NoteActivity();
        }

        public void Closed()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                host._clock.NoteActivity();
            }
        }
    }
}
