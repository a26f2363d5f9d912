using System.Diagnostics;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Serial;

namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// A <see cref="GrblController"/> served on a pseudo-terminal: open <see cref="PortPath"/> with
/// <c>new SerialPort(PortPath, 115200)</c>. Registers the pty's unread bytes with the clock, so that virtual time
/// does not jump while bytes are still in flight in either direction.
/// </summary>
public sealed class GrblPtyHost : IDisposable
{
    private readonly PseudoTerminal _pty;
    private readonly IDisposable _probe;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly object _staleGate = new();
    private int _lastUnreadByStation;
    private long _unreadChangedAtMs;

    public GrblPtyHost(SimulationClock clock, GrblOptions options, bool powerOn = true)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _pty = new PseudoTerminal();
        try
        {
            Controller = new GrblController(clock, options, bytes =>
            {
                clock.NoteActivity();
                _pty.Write(bytes);
            });
            _probe = clock.AddBusyProbe(InFlight);
            _pty.Start(data => Controller.Receive(data.Span), clock.Busy);
            if (powerOn)
            {
                Controller.PowerOn();
            }
        }
        catch
        {
            _pty.Dispose();
            throw;
        }
    }

    /// <summary>The slave side for the station's SerialPort, e.g. /dev/pts/7.</summary>
    public string PortPath => _pty.SlavePath;

    public GrblController Controller { get; }

    /// <summary>
    /// Bytes the station has not read yet stop counting as "in flight" once they sat unchanged this long: nobody
    /// may have the port open (the power-up banner then waits in the queue for ever).
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMilliseconds(500);

    public void Dispose()
    {
        _probe.Dispose();
        _pty.Dispose();
        Controller.Dispose();
    }

    private bool InFlight()
    {
        if (_pty.BytesUnreadBySimulator > 0)
        {
            return true;
        }
        var unread = _pty.BytesUnreadByStation;
        lock (_staleGate)
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
}
