using System.Globalization;
using System.IO.Ports;
using System.Text;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Hardware.Grbl;

/// <summary>
/// The XYZ stage on a GRBL 1.1 controller over a serial port. This class is the port's only owner: one reader loop
/// classifies every line and completes the request it belongs to; lines are streamed with character counting
/// against GRBL's receive buffer; real-time bytes (<c>?</c>, <c>!</c>, <c>~</c>, 0x18, 0x85) go out of band as raw
/// bytes, so status polling never corrupts the command stream.
/// </summary>
public sealed class GrblStage : IStage, IStagePositionCheck, IAsyncDisposable
{
    private const byte StatusQuery = (byte)'?';
    private const byte FeedHoldByte = (byte)'!';
    private const byte CycleStartByte = (byte)'~';
    private const byte SoftResetByte = 0x18;
    private const byte JogCancelByte = 0x85;

    private readonly GrblStageOptions _options;
    // Motion, settle, polling, the connect banner and the bounds of single serial round trips (a status report, a
    // settings ack, the banner after a reset) all run on this one clock. On the simulator's virtual clock the
    // ReaderObserver keeps time still from before a request is written until its reply has been routed.
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly IOperatorPanel? _motorEnable;
    private readonly Func<SerialPort> _portFactory;
    private readonly object _gate = new();
    private readonly object _writeGate = new();
    private readonly SemaphoreSlim _operation = new(1, 1);
    private readonly SemaphoreSlim _lineOrder = new(1, 1);
    private readonly CharacterCountingWindow _window;
    private readonly LinkedList<PendingLine> _pending = new();
    private readonly List<TaskCompletionSource<StageStatus>> _statusWaiters = [];
    private readonly GrblSettings? _desiredSettings;
    private readonly CancellationTokenSource _lifetime = new();

    private SerialPort? _port;
    private Stream? _stream;
    private WriteAccount? _written;
    private Task? _readerTask;
    private CancellationTokenSource? _readerCts;
    private ITimer? _idlePoll;
    private Task? _reconnectTask;
    private Task _alarmRecovery = Task.CompletedTask;
    private TaskCompletionSource? _windowSpace;
    private TaskCompletionSource<string>? _bannerWaiter;
    private bool _ownResetInProgress;
    private bool _connecting;
    private TaskCompletionSource<Exception>? _motionAbort;
    private StagePosition? _currentTarget;

    // Where the last completed command left the stage (the target of the last move, the homed position), or null
    // when unknown (after a jog, a failed move, a reset). Move timeouts start from here, never from a polled status
    // that may be older than the last move.
    private StagePosition? _commandedPosition;
    private bool _moving;
    private double[]? _lastWco;
    private GrblStatusReport? _lastReport;
    private GrblSettings _controllerSettings = new();
    private StageStatus _status;
    private bool _connected;
    private bool _homed;
    private string _homingRequiredBecause = "the stage has not been homed since the station started";
    private int _lastZDirection;
    private long _garbageLines;
    private string? _disconnectedBecause;

    /// <summary>Opens <see cref="GrblStageOptions.PortName"/> itself (and again after the device comes back).</summary>
    public GrblStage(GrblStageOptions options, TimeProvider clock, ILogger<GrblStage>? logger = null, IOperatorPanel? motorEnable = null)
        : this(options, clock, logger, motorEnable, null)
    {
    }

    /// <summary>Uses the given port (opened here if closed); reconnecting reopens the same instance.</summary>
    public GrblStage(SerialPort port, GrblStageOptions options, TimeProvider clock, ILogger<GrblStage>? logger = null, IOperatorPanel? motorEnable = null)
        : this(options, clock, logger, motorEnable, port ?? throw new ArgumentNullException(nameof(port)))
    {
    }

    private GrblStage(GrblStageOptions options, TimeProvider clock, ILogger? logger, IOperatorPanel? motorEnable, SerialPort? port)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        options.ThrowIfInvalid();
        _options = options;
        _clock = clock;
        _log = logger ?? NullLogger.Instance;
        _motorEnable = motorEnable;
        _window = new CharacterCountingWindow(options.ReceiveBufferBytes);
        _desiredSettings = string.IsNullOrEmpty(options.SettingsFile) ? null : GrblSettings.ParseFile(options.SettingsFile);
        _portFactory = port is not null ? () => port : () => new SerialPort(options.PortName, options.BaudRate, Parity.None, 8, StopBits.One);
        _status = new StageStatus(StageMotionState.Unknown, StagePosition.Origin, false, "", clock.GetUtcNow());
    }

    /// <summary>
    /// Optional: told when the port opens, how many bytes the stage is about to write (before each write), how far
    /// the reader has handled what it read, and when it stops. The simulator's pty host uses it to hold its virtual
    /// clock from before a request is written until its reply has been routed to its waiter, which is what lets
    /// round-trip bounds run on the one injected clock. Set before <see cref="ConnectAsync"/>.
    /// </summary>
    public ISerialReaderObserver? ReaderObserver { get; init; }

    public event EventHandler<StageStatus>? StatusChanged;

    /// <summary>Alarms, unexpected resets, lost ports and stalls, as they happen (also when no operation is waiting).</summary>
    public event EventHandler<HardwareFaultException>? Faulted;

    /// <summary>True after the port opened and the controller answered; false while it is gone.</summary>
    public event EventHandler<bool>? ConnectionChanged;

    public StageStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _connected;
            }
        }
    }

    /// <summary>From <c>[VER:...]</c> of <c>$I</c>, e.g. "1.1h.20190825".</summary>
    public string? FirmwareVersion { get; private set; }

    /// <summary>The controller's settings as last read with <c>$$</c> (after applying differences).</summary>
    public GrblSettings ControllerSettings
    {
        get
        {
            lock (_gate)
            {
                return _controllerSettings;
            }
        }
    }

    /// <summary>When the last move finished settling, on the station's clock: frames must start after this.</summary>
    public DateTimeOffset LastSettledAt { get; private set; }

    /// <summary>Lines that were neither protocol nor feedback (line noise); they are logged and ignored.</summary>
    public long GarbageLinesReceived => Interlocked.Read(ref _garbageLines);

    /// <summary>Why homing is required, or null when the position is trusted.</summary>
    public string? HomingRequiredBecause
    {
        get
        {
            lock (_gate)
            {
                return _homed ? null : _homingRequiredBecause;
            }
        }
    }

    public (Micrometres Min, Micrometres Max) TravelOf(Axis axis)
    {
        // GRBL's default homing puts the switches at the positive end: machine coordinates run from -$13x to 0.
        var max = ControllerSettings.Number(130 + (int)axis, double.NaN);
        if (double.IsNaN(max))
        {
            throw new InvalidOperationException("The stage travel is known only after ConnectAsync has read the controller's $13x settings.");
        }
        return (Micrometres.FromMillimetres(-Math.Abs(max)), Micrometres.Zero);
    }

    // ---------------------------------------------------------------- connect

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _operation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ConnectCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _operation.Release();
        }
    }

    private async Task ConnectCoreAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _connecting = true;
        }
        try
        {
            await ConnectSequenceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _connecting = false;
            }
        }
    }

    private async Task ConnectSequenceAsync(CancellationToken cancellationToken)
    {
        ClosePort();
        TaskCompletionSource<string> banner;
        lock (_gate)
        {
            banner = _bannerWaiter = NewTcs<string>();
        }
        OpenPort();

        try
        {
            await banner.Task.WaitAsync(_options.BannerTimeout, _clock, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.LogInformation("No GRBL banner within {Timeout} after opening {Port}; sending a soft reset", _options.BannerTimeout, _options.PortName);
            await SoftResetAsync("no banner after opening the port", cancellationToken).ConfigureAwait(false);
        }
        lock (_gate)
        {
            _connected = true;
        }
        _disconnectedBecause = null;

        var info = await SendCommandAsync("$I", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        FirmwareVersion = info.Select(GrblLine.Classify)
            .Where(l => l.Kind == GrblLineKind.Feedback && l.Payload.StartsWith("VER:", StringComparison.Ordinal))
            .Select(l => l.Payload["VER:".Length..].TrimEnd(':'))
            .FirstOrDefault();
        _log.LogInformation("GRBL on {Port}: firmware {Version} ({Info})", _options.PortName, FirmwareVersion ?? "unknown", string.Join(" ", info));
        if (FirmwareVersion is null || !FirmwareVersion.StartsWith("1.1", StringComparison.Ordinal))
        {
            _log.LogWarning("GRBL firmware {Version} is not 1.1; the station is written against GRBL 1.1's protocol", FirmwareVersion ?? "unknown");
        }

        var settings = await ReadSettingsAsync(cancellationToken).ConfigureAwait(false);
        if (_desiredSettings is not null)
        {
            var differences = settings.DifferencesTo(_desiredSettings);
            foreach (var (number, value) in differences)
            {
                if (!_options.ApplySettings)
                {
                    _log.LogWarning("GRBL setting ${Number} is {Current}, grbl-settings.txt wants {Wanted} (not applied: ApplySettings=false)", number, settings[number] ?? "missing", value);
                    continue;
                }
                _log.LogInformation("Applying GRBL setting ${Number}={Value} (was {Current})", number, value, settings[number] ?? "missing");
                await SendCommandAsync(GCode.Setting(number, value), _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            }
            if (differences.Count > 0 && _options.ApplySettings)
            {
                settings = await ReadSettingsAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var status = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status.State == StageMotionState.Alarm)
        {
            _log.LogWarning("GRBL is in alarm after connecting; home the stage ($H) to unlock it");
        }
        StartIdlePolling();
        ConnectionChanged?.Invoke(this, true);
    }

    private async Task<GrblSettings> ReadSettingsAsync(CancellationToken cancellationToken)
    {
        var lines = await SendCommandAsync("$$", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        var settings = new GrblSettings();
        foreach (var line in lines)
        {
            settings.TryAddLine(line);
        }
        foreach (var required in new[] { 100, 101, 102, 110, 111, 112, 120, 121, 122, 130, 131, 132 })
        {
            if (settings[required] is null)
            {
                throw new HardwareFaultException($"GRBL's $$ reply on {_options.PortName} lacks ${required}; the station needs steps/mm, rates, accelerations and travel ($100-$132). Is this a GRBL 1.1 controller?");
            }
        }
        lock (_gate)
        {
            _controllerSettings = settings;
        }
        return settings;
    }

    private void OpenPort()
    {
        var port = _portFactory();
        if (!port.IsOpen)
        {
            port.BaudRate = _options.BaudRate;
            if (_options.DtrEnable is { } dtr)
            {
                port.DtrEnable = dtr;
            }
            if (_options.RtsEnable is { } rts)
            {
                port.RtsEnable = rts;
            }
            port.Encoding = Encoding.ASCII;
            try
            {
                port.Open();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new HardwareFaultException($"Cannot open the stage controller's port {_options.PortName}: {ex.Message}. Check the cable, the udev rule for /dev/stage and that the station user is in the dialout group.", inner: ex);
            }
        }
        var readerCts = new CancellationTokenSource();
        // Before the reader starts and before anything is written: the observer's counts begin here.
        var session = ReaderObserver?.Opened();
        lock (_gate)
        {
            _port = port;
            _stream = port.BaseStream;
            _written = new WriteAccount(session);
            _window.Clear();
            _readerCts = readerCts;
        }
        var stream = port.BaseStream;
        _readerTask = Task.Run(() => ReadLoopAsync(stream, session, readerCts.Token));
    }

    private void ClosePort()
    {
        SerialPort? port;
        CancellationTokenSource? readerCts;
        lock (_gate)
        {
            port = _port;
            readerCts = _readerCts;
            _port = null;
            _stream = null;
            _written = null;
            _readerCts = null;
            _connected = false;
        }
        _idlePoll?.Dispose();
        _idlePoll = null;
        readerCts?.Cancel();
        try
        {
            port?.Close();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _log.LogDebug(ex, "Closing {Port}", _options.PortName);
        }
        readerCts?.Dispose();
    }

    // ---------------------------------------------------------------- reader loop

    private async Task ReadLoopAsync(Stream stream, ISerialReaderSession? session, CancellationToken cancellationToken)
    {
        var buffer = new byte[512];
        var line = new StringBuilder();
        long handled = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException("the serial stream ended");
                }
                for (var i = 0; i < n; i++)
                {
                    var b = buffer[i];
                    if (b == (byte)'\n')
                    {
                        HandleLine(line.ToString());
                        line.Clear();
                    }
                    else if (b != (byte)'\r')
                    {
                        line.Append((char)b);
                        if (line.Length > 1024)
                        {
                            HandleLine(line.ToString());
                            line.Clear();
                        }
                    }
                }
                // After the lines are routed (their waiters completed), never before: see ReaderObserver.
                handled += n;
                session?.Handled(handled);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // closed on purpose
        }
        catch (Exception ex)
        {
            OnPortLost(ex);
        }
        finally
        {
            session?.Closed();
        }
    }

    private void HandleLine(string raw)
    {
        GrblLine line;
        try
        {
            line = GrblLine.Classify(raw);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            line = new GrblLine(GrblLineKind.Garbage, raw, 0);
        }
        switch (line.Kind)
        {
            case GrblLineKind.Empty:
                return;
            case GrblLineKind.Ok:
            case GrblLineKind.Error:
                OnAcknowledgement(line);
                return;
            case GrblLineKind.Alarm:
                OnAlarm(line.Code);
                return;
            case GrblLineKind.Status:
                OnStatusReport(line.Text);
                return;
            case GrblLineKind.Message:
                _log.LogInformation("GRBL {Message}", line.Text);
                AttachToHead(line.Text);
                return;
            case GrblLineKind.Feedback:
            case GrblLineKind.Setting:
                AttachToHead(line.Text);
                return;
            case GrblLineKind.Banner:
                OnBanner(line.Text);
                return;
            default:
                Interlocked.Increment(ref _garbageLines);
                _log.LogWarning("Ignoring line noise from GRBL on {Port}: {Line}", _options.PortName, Printable(raw));
                return;
        }
    }

    private void AttachToHead(string text)
    {
        lock (_gate)
        {
            _pending.First?.Value.Lines.Add(text);
        }
    }

    private void OnAcknowledgement(GrblLine line)
    {
        PendingLine? head;
        lock (_gate)
        {
            head = _pending.First?.Value;
            if (head is not null)
            {
                _pending.RemoveFirst();
                _window.Acknowledged();
                SignalWindowSpace();
            }
        }
        if (head is null)
        {
            // After a reset or a failed operation a late ok can arrive; it belongs to nothing now.
            _log.LogWarning("GRBL sent '{Line}' with no command waiting for it", line.Text);
            return;
        }
        head.Reply.TrySetResult(line);
    }

    private void OnAlarm(int code)
    {
        StagePosition? target;
        bool ownReset;
        lock (_gate)
        {
            target = _currentTarget;
            ownReset = _ownResetInProgress;
            if (GrblCodes.AlarmLosesPosition(code))
            {
                _homed = false;
                _commandedPosition = null;
                _homingRequiredBecause = $"ALARM:{code} ({GrblCodes.DescribeAlarm(code)})";
            }
            _status = _status with { State = StageMotionState.Alarm, IsHomed = _homed, At = _clock.GetUtcNow() };
        }
        var ex = new GrblAlarmException(code, DescribeAlarmInContext(code, target));
        if (ownReset && code == 3)
        {
            _log.LogWarning("GRBL reported ALARM:3 after the station's own reset during motion; homing is required");
        }
        else
        {
            _log.LogError("{Alarm}", ex.Message);
        }
        FailAllPending(ex);
        Faulted?.Invoke(this, ex);
        if (GrblCodes.AlarmNeedsReset(code) && !ownReset)
        {
            // GRBL locks up until it gets a reset ("[MSG:Reset to continue]"); the station gives it one so that the
            // controller answers again. ALARM:2 keeps the position, so it is unlocked; ALARM:1 needs homing.
            lock (_gate)
            {
                _alarmRecovery = Task.Run(() => ClearLockingAlarmAsync(code));
            }
        }
    }

    private async Task ClearLockingAlarmAsync(int code)
    {
        try
        {
            await SoftResetAsync($"clear ALARM:{code}", _lifetime.Token).ConfigureAwait(false);
            if (code == 2)
            {
                await SendCommandAsync("$X", _options.CommandTimeout, _lifetime.Token).ConfigureAwait(false);
            }
            await QueryStatusAsync(_lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Could not clear ALARM:{Code} with a reset", code);
        }
    }

    private string DescribeAlarmInContext(int code, StagePosition? target)
    {
        var meaning = GrblCodes.DescribeAlarm(code);
        if (code == 2 && target is { } t)
        {
            var outside = new List<string>();
            foreach (var axis in Enum.GetValues<Axis>())
            {
                var (min, max) = TravelOf(axis);
                if (t[axis] < min || t[axis] > max)
                {
                    outside.Add(OutsideTravelText(axis, t[axis], min, max));
                }
            }
            if (outside.Count > 0)
            {
                return "soft limit: " + string.Join("; ", outside) + ". The position was retained; the station reset and unlocked the controller.";
            }
        }
        return code switch
        {
            1 => meaning + (target is { } h ? $" (while moving to {h})" : "") + ". Check what touched the switch, then home the stage.",
            3 => meaning + ".",
            _ => meaning + (target is { } p ? $" (while moving to {p})" : "") + ".",
        };
    }

    private static string OutsideTravelText(Axis axis, Micrometres value, Micrometres min, Micrometres max) =>
        string.Create(CultureInfo.InvariantCulture, $"target {axis}={value.Millimetres:0.####} mm is outside the travel {min.Millimetres:0.###}–{max.Millimetres:0.###} mm");

    private void OnStatusReport(string text)
    {
        GrblStatusReport report;
        try
        {
            lock (_gate)
            {
                report = GrblStatusReport.Parse(text, _lastWco);
            }
        }
        catch (FormatException ex)
        {
            Interlocked.Increment(ref _garbageLines);
            _log.LogWarning("Ignoring a malformed status report: {Problem}", ex.Message);
            return;
        }
        StageStatus status;
        List<TaskCompletionSource<StageStatus>> waiters;
        lock (_gate)
        {
            _lastReport = report;
            if (report.WorkCoordinateOffsetMillimetres is { } wco)
            {
                _lastWco = wco;
            }
            var m = report.MachinePositionMillimetres;
            status = new StageStatus(
                report.State,
                new StagePosition(Micrometres.FromMillimetres(m[0]), Micrometres.FromMillimetres(m[1]), Micrometres.FromMillimetres(m[2])),
                _homed,
                report.Pins,
                _clock.GetUtcNow());
            _status = status;
            waiters = [.. _statusWaiters];
            _statusWaiters.Clear();
        }
        foreach (var waiter in waiters)
        {
            waiter.TrySetResult(status);
        }
        StatusChanged?.Invoke(this, status);
    }

    private void OnBanner(string banner)
    {
        TaskCompletionSource<string>? waiter;
        bool expected;
        lock (_gate)
        {
            waiter = _bannerWaiter;
            // While connecting every banner is expected: the power-up banner and the one after our own reset may
            // both arrive, in either order relative to our timeout.
            expected = waiter is not null || _connecting;
            _bannerWaiter = null;
            if (!expected)
            {
                _homed = false;
                _commandedPosition = null;
                _homingRequiredBecause = $"the controller reset unexpectedly ('{banner}')";
                _status = _status with { IsHomed = false, At = _clock.GetUtcNow() };
            }
        }
        if (expected)
        {
            _log.LogInformation("GRBL banner: {Banner}", banner);
            FailAllPending(new HardwareFaultException("The station reset the motion controller; the command was discarded."));
            waiter?.TrySetResult(banner);
            return;
        }
        var ex = new HardwareFaultException(
            $"The motion controller on {_options.PortName} reset unexpectedly (it sent '{banner}' in mid-operation): pending commands were lost and the stage position is unknown. Check the controller's power and USB cable, then home the stage.",
            requiresHoming: true);
        _log.LogError("{Fault}", ex.Message);
        FailAllPending(ex);
        Faulted?.Invoke(this, ex);
    }

    private void OnPortLost(Exception cause)
    {
        bool wasConnected;
        lock (_gate)
        {
            wasConnected = _connected || _port is not null;
            _connected = false;
            _homed = false;
            _commandedPosition = null;
            _homingRequiredBecause = "the serial connection to the controller was lost (it may have power-cycled)";
            _status = _status with { State = StageMotionState.Unknown, IsHomed = false, At = _clock.GetUtcNow() };
        }
        if (_lifetime.IsCancellationRequested)
        {
            return;
        }
        // Release the dead port now: a reader blocked on it would otherwise never end.
        ClosePort();
        _disconnectedBecause = $"its serial port disappeared ({cause.Message})";
        var ex = new HardwareFaultException(
            $"The motion controller's serial port {_options.PortName} disappeared ({cause.Message}): USB unplugged or controller unpowered. The station reconnects when it comes back; the stage must then be homed.",
            requiresHoming: true, inner: cause);
        _log.LogError("{Fault}", ex.Message);
        FailAllPending(ex);
        if (wasConnected)
        {
            Faulted?.Invoke(this, ex);
            ConnectionChanged?.Invoke(this, false);
        }
        StartReconnecting();
    }

    private void StartReconnecting()
    {
        lock (_gate)
        {
            if (_reconnectTask is { IsCompleted: false })
            {
                return;
            }
            _reconnectTask = Task.Run(ReconnectLoopAsync);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        var token = _lifetime.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ReconnectInterval, _clock, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!File.Exists(_options.PortName))
            {
                continue;
            }
            try
            {
                await _operation.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    await ConnectCoreAsync(token).ConfigureAwait(false);
                }
                finally
                {
                    _operation.Release();
                }
                _log.LogInformation("Reconnected to the motion controller on {Port}; home the stage before moving", _options.PortName);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                _log.LogWarning("Reconnecting to {Port} failed: {Problem}", _options.PortName, ex.Message);
                ClosePort();
            }
        }
    }

    private void FailAllPending(Exception ex)
    {
        List<PendingLine> pending;
        List<TaskCompletionSource<StageStatus>> waiters;
        TaskCompletionSource<Exception>? abort;
        lock (_gate)
        {
            pending = [.. _pending];
            _pending.Clear();
            _window.Clear();
            SignalWindowSpace();
            abort = _motionAbort;
            waiters = ex is HardwareFaultException { InnerException: IOException } ? [.. _statusWaiters] : [];
            foreach (var w in waiters)
            {
                _statusWaiters.Remove(w);
            }
        }
        foreach (var p in pending)
        {
            p.Reply.TrySetException(ex);
        }
        foreach (var w in waiters)
        {
            w.TrySetException(ex);
        }
        abort?.TrySetResult(ex);
    }

    private void SignalWindowSpace()
    {
        _windowSpace?.TrySetResult();
        _windowSpace = null;
    }

    // ---------------------------------------------------------------- sending

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Stream? stream;
        WriteAccount? written;
        lock (_gate)
        {
            stream = _stream;
            written = _written;
        }
        if (stream is null || written is null)
        {
            throw new HardwareFaultException($"The motion controller on {_options.PortName} is not connected{DisconnectReason()}; the station is waiting for the port to come back.");
        }
        try
        {
            lock (_writeGate)
            {
                written.Write(stream, bytes);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or UnauthorizedAccessException)
        {
            OnPortLost(ex);
            throw new HardwareFaultException($"The motion controller's serial port {_options.PortName} disappeared while writing ({ex.Message}): USB unplugged or controller unpowered. The station reconnects when it comes back; the stage must then be homed.", true, ex);
        }
    }

    /// <summary>Real-time commands are single raw bytes: through the port's text encoding 0x85 would become '?'.</summary>
    private void WriteRealtime(byte command) => WriteRaw([command]);

    /// <summary>Queues a line once it fits GRBL's receive buffer and returns it; its Reply completes on ok/error.</summary>
    private async Task<PendingLine> EnqueueLineAsync(string text, CancellationToken cancellationToken)
    {
        if (text.Length > 79 || text.Any(c => c < ' ' || c > '~'))
        {
            throw new ArgumentException($"'{text}' is not a valid GRBL line (printable ASCII, at most 79 characters).", nameof(text));
        }
        var pending = new PendingLine(text);
        var bytes = Encoding.ASCII.GetBytes(text + "\n");
        await _lineOrder.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                Task space;
                lock (_gate)
                {
                    if (_stream is null)
                    {
                        throw new HardwareFaultException($"The motion controller on {_options.PortName} is not connected{DisconnectReason()}.");
                    }
                    if (_window.Fits(pending.Bytes))
                    {
                        _window.Sent(pending.Bytes);
                        _pending.AddLast(pending);
                        break;
                    }
                    _windowSpace ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    space = _windowSpace.Task;
                }
                await space.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            WriteRaw(bytes);
            return pending;
        }
        finally
        {
            _lineOrder.Release();
        }
    }

    /// <summary>Sends one line and waits for its ok; returns the feedback lines that came before the ok.</summary>
    private async Task<IReadOnlyList<string>> SendCommandAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = await EnqueueLineAsync(text, cancellationToken).ConfigureAwait(false);
        GrblLine reply;
        try
        {
            reply = await pending.Reply.Task.WaitAsync(timeout, _clock, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (pending.Reply.Task.IsCompleted)
        {
            // Routed as the bound fell due: the reply is in time.
            reply = await pending.Reply.Task.ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            // A status round trip flushes everything GRBL sent before it through the reader loop: if the reply was
            // merely late, it has been routed by the time the report arrives.
            await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            if (!pending.Reply.Task.IsCompleted)
            {
                throw new HardwareFaultException($"GRBL did not answer '{text}' within {timeout.TotalSeconds:0.###} s on {_options.PortName}: a reply was lost (dropped ok or line noise) or the controller hangs. Reset the controller.", inner: ex);
            }
            reply = await pending.Reply.Task.ConfigureAwait(false);
        }
        if (reply.Kind == GrblLineKind.Error)
        {
            throw new GrblReplyException(reply.Code, text);
        }
        lock (_gate)
        {
            return [.. pending.Lines];
        }
    }

    private async Task SoftResetAsync(string reason, CancellationToken cancellationToken)
    {
        TaskCompletionSource<string> banner;
        lock (_gate)
        {
            _ownResetInProgress = true;
            banner = _bannerWaiter = NewTcs<string>();
        }
        try
        {
            _log.LogInformation("Soft-resetting GRBL: {Reason}", reason);
            WriteRealtime(SoftResetByte);
            await banner.Task.WaitAsync(_options.CommandTimeout, _clock, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (banner.Task.IsCompleted)
        {
            // Routed as the bound fell due: the banner is in time.
        }
        catch (TimeoutException ex)
        {
            throw new HardwareFaultException($"GRBL on {_options.PortName} sent no banner within {_options.CommandTimeout.TotalSeconds:0.###} s of a soft reset: is it a GRBL controller, at {_options.BaudRate} baud?", inner: ex);
        }
        finally
        {
            lock (_gate)
            {
                _ownResetInProgress = false;
                if (ReferenceEquals(_bannerWaiter, banner))
                {
                    _bannerWaiter = null;
                }
            }
        }
    }

    // ---------------------------------------------------------------- status

    public async Task<StageStatus> QueryStatusAsync(CancellationToken cancellationToken)
    {
        var waiter = NewTcs<StageStatus>();
        lock (_gate)
        {
            _statusWaiters.Add(waiter);
        }
        try
        {
            // Asked twice before giving up: a report can be lost to line noise like any other line.
            for (var attempt = 1; ; attempt++)
            {
                WriteRealtime(StatusQuery);
                try
                {
                    return await waiter.Task.WaitAsync(_options.CommandTimeout, _clock, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException) when (waiter.Task.IsCompleted)
                {
                    // Routed as the bound fell due: the report is in time.
                    return await waiter.Task.ConfigureAwait(false);
                }
                catch (TimeoutException ex) when (attempt >= 2)
                {
                    throw new HardwareFaultException($"GRBL sent no status report within {_options.CommandTimeout.TotalSeconds:0.###} s of '?' (asked twice) on {_options.PortName}.", inner: ex);
                }
                catch (TimeoutException)
                {
                    _log.LogWarning("No status report within {Timeout}; asking again", _options.CommandTimeout);
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _statusWaiters.Remove(waiter);
            }
        }
    }

    private void StartIdlePolling()
    {
        if (_options.IdlePollInterval <= TimeSpan.Zero)
        {
            return;
        }
        _idlePoll?.Dispose();
        _idlePoll = _clock.CreateTimer(_ =>
        {
            bool poll;
            lock (_gate)
            {
                poll = _connected && !_moving && _statusWaiters.Count == 0;
            }
            if (!poll)
            {
                return;
            }
            try
            {
                WriteRealtime(StatusQuery);
            }
            catch (HardwareFaultException)
            {
                // the reader loop reports the lost port
            }
        }, null, _options.IdlePollInterval, _options.IdlePollInterval);
    }

    // ---------------------------------------------------------------- homing

    public async Task HomeAsync(CancellationToken cancellationToken)
    {
        await EnterOperationAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureConnected();
            // An emergency stop may have cut the drivers' power; homing is what restores a known position, so it
            // powers them again (homing with the drivers off would end in ALARM:9).
            _motorEnable?.SetMotorsEnabled(true);
            var s = ControllerSettings;
            var seek = s.Number(25, 500) / 60.0;
            var locate = s.Number(24, 25) / 60.0;
            var pulloff = s.Number(27, 1);
            var seconds = 0.0;
            for (var i = 0; i < 3; i++)
            {
                // GRBL searches 1.5 × max travel at the seek rate, then locates within 5 × pull-off, twice.
                seconds += 1.5 * s.Number(130 + i, 100) / seek + 2 * 5 * pulloff / locate;
            }
            var timeout = TimeSpan.FromSeconds(seconds * _options.MotionTimeoutFactor) + _options.MotionTimeoutMargin;
            lock (_gate)
            {
                _moving = true;
            }
            try
            {
                await SendCommandAsync("$H", timeout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    _moving = false;
                }
            }
            await SendCommandAsync(GCode.Modal, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _homed = true;
                _lastZDirection = 0;
            }
            var status = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _commandedPosition = status.Position;
            }
            _log.LogInformation("Stage homed at {Position}", status.Position);
        }
        finally
        {
            _operation.Release();
        }
    }

    /// <summary>Clears an alarm lock without homing (<c>$X</c>). The position stays untrusted unless it was retained.</summary>
    public async Task UnlockAsync(CancellationToken cancellationToken)
    {
        await EnterOperationAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureConnected();
            await SendCommandAsync("$X", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _commandedPosition = null;
            }
            await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _operation.Release();
        }
    }

    // ---------------------------------------------------------------- motion

    public async Task MoveToAsync(StagePosition target, CancellationToken cancellationToken)
    {
        await EnterOperationAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await MoveCoreAsync(target, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _operation.Release();
        }
    }

    public async Task MoveZFromBelowAsync(Micrometres z, CancellationToken cancellationToken)
    {
        await EnterOperationAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var here = await CommandedStartAsync(cancellationToken).ConfigureAwait(false);
            int lastDirection;
            lock (_gate)
            {
                lastDirection = _lastZDirection;
            }
            // Backlash is taken up only if the last Z motion went up and we go on going up.
            if (!(lastDirection > 0 && here.Z <= z))
            {
                var (min, _) = TravelOf(Axis.Z);
                var leadIn = z - _options.ZBacklashLeadIn;
                if (leadIn < min)
                {
                    throw new HardwareFaultException(string.Create(CultureInfo.InvariantCulture,
                        $"Cannot approach Z={z.Millimetres:0.####} mm from below: the lead-in start {leadIn.Millimetres:0.####} mm is outside the travel {min.Millimetres:0.###}–0 mm. Choose a higher Z or a shorter Stage:ZBacklashLeadIn."));
                }
                await MoveCoreAsync(here.With(Axis.Z, leadIn), cancellationToken).ConfigureAwait(false);
            }
            await MoveCoreAsync(here.With(Axis.Z, z), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _operation.Release();
        }
    }

    private async Task MoveCoreAsync(StagePosition target, CancellationToken cancellationToken, double? feedMillimetresPerMinute = null, bool checkTravel = true)
    {
        EnsureReadyForMotion();
        if (checkTravel && _options.CheckTravelBeforeSending)
        {
            CheckTravel(target);
        }
        var from = await CommandedStartAsync(cancellationToken).ConfigureAwait(false);
        var trapezoid = TrapezoidTime(from, target, feedMillimetresPerMinute);
        var timeout = MoveTimeout(trapezoid);
        var abort = NewTcs<Exception>();
        lock (_gate)
        {
            _motionAbort = abort;
            _currentTarget = target;
            _commandedPosition = null; // unknown until this move is confirmed done
            _moving = true;
            LastMoveTimeout = timeout;
        }
        PendingLine? move = null, sync = null;
        CancellationTokenSource? timeoutCts = null;
        CancellationTokenSource? linked = null;
        try
        {
            move = await EnqueueLineAsync(feedMillimetresPerMinute is { } feed ? GCode.FeedToMachine(target, feed) : GCode.RapidToMachine(target), cancellationToken).ConfigureAwait(false);
            sync = await EnqueueLineAsync(GCode.SyncDwell, cancellationToken).ConfigureAwait(false);
            // Armed once both lines are on the wire: the bound is for the controller's work. Armed before, the station's
            // own work up to the write (invisible to a virtual clock) could let the clock jump to it.
            timeoutCts = new CancellationTokenSource(timeout, _clock);
            linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            try
            {
                await AwaitMotionDoneAsync(move, sync, target, abort.Task, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeoutCts.IsCancellationRequested)
            {
                // Confirm the silence before calling it a timeout: a status round trip routes any late reply first.
                var now = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
                var acknowledged = move.Reply.Task.IsCompleted && sync.Reply.Task.IsCompleted;
                if (!acknowledged && now.State != StageMotionState.Run)
                {
                    throw;
                }
                // Still running (the clock ran ahead of the station, or the controller is slower than planned):
                // one more allowance for the rest of the path, derived the same way. A stalled stream stays failed.
                var rest = acknowledged
                    ? _options.CommandTimeout
                    : TrapezoidTime(now.Position, target, feedMillimetresPerMinute) * _options.MotionTimeoutFactor + _options.MotionTimeoutMargin;
                _log.LogWarning("Move to {Target} is still running after its timeout; allowing {Rest} for the rest of the path", target, rest);
                if (acknowledged)
                {
                    // G4 P0's ok means the planner has drained: only the Idle-at-target check is left, a status round
                    // trip with its own bound. A timer here could fire before the station even asks.
                    await AwaitMotionDoneAsync(move, sync, target, abort.Task, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    using var grace = new CancellationTokenSource(rest, _clock);
                    using var graceLinked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, grace.Token);
                    await AwaitMotionDoneAsync(move, sync, target, abort.Task, graceLinked.Token).ConfigureAwait(false);
                }
            }
            lock (_gate)
            {
                if (target.Z != from.Z)
                {
                    _lastZDirection = target.Z > from.Z ? 1 : -1;
                }
                _commandedPosition = target;
            }
            await Task.Delay(_options.SettleTime, _clock, cancellationToken).ConfigureAwait(false);
            LastSettledAt = _clock.GetUtcNow();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeoutCts is { IsCancellationRequested: true })
        {
            var unanswered = new[] { move, sync }.Where(p => p is { Reply.Task.IsCompleted: false }).Select(p => $"'{p!.Text}'").ToList();
            var what = unanswered.Count > 0
                ? $"GRBL never acknowledged {string.Join(" and ", unanswered)} (a reply was lost to a dropped ok or line noise, or the motion stalled)"
                : "GRBL acknowledged the move but never reported Idle at the target";
            var homing = await RecoverAsync("move timed out").ConfigureAwait(false);
            throw new HardwareFaultException(string.Create(CultureInfo.InvariantCulture,
                $"Move to {target} timed out after {timeout.TotalSeconds:0.###} s (trapezoid {trapezoid.TotalSeconds:0.###} s × {_options.MotionTimeoutFactor} + {_options.MotionTimeoutMargin.TotalSeconds:0.###} s margin + settle): {what}. The station held the motion and reset the controller to re-synchronise the command stream{(homing ? "; the position was lost, home the stage" : "; the position was retained")}."),
                homing);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await RecoverAsync("move cancelled").ConfigureAwait(false);
            throw;
        }
        finally
        {
            linked?.Dispose();
            timeoutCts?.Dispose();
            lock (_gate)
            {
                _motionAbort = null;
                _currentTarget = null;
                _moving = false;
            }
        }
    }

    private async Task AwaitMotionDoneAsync(PendingLine move, PendingLine sync, StagePosition target, Task<Exception> abort, CancellationToken token)
    {
        var replies = Task.WhenAll(move.Reply.Task, sync.Reply.Task);
        while (!replies.IsCompleted)
        {
            var tick = Task.Delay(_options.MotionPollInterval, _clock, token);
            var done = await Task.WhenAny(replies, abort, tick).ConfigureAwait(false);
            if (done == abort)
            {
                throw await abort.ConfigureAwait(false);
            }
            if (done == tick)
            {
                await tick.ConfigureAwait(false);
                var polled = await QueryStatusAsync(token).ConfigureAwait(false);
                // ALARM:n comes before the report that shows Alarm, so its specific error is already here: prefer it.
                if (abort.IsCompleted)
                {
                    throw await abort.ConfigureAwait(false);
                }
                ThrowIfHeld(polled, target);
            }
        }
        foreach (var line in new[] { move, sync })
        {
            var reply = await line.Reply.Task.ConfigureAwait(false);
            if (reply.Kind == GrblLineKind.Error)
            {
                throw new GrblReplyException(reply.Code, line.Text, $"move to {target}");
            }
        }
        var tolerance = PositionToleranceMicrometres();
        while (true)
        {
            var status = await QueryStatusAsync(token).ConfigureAwait(false);
            if (status.State == StageMotionState.Idle)
            {
                var off = Enum.GetValues<Axis>().Where(a => Math.Abs((status.Position[a] - target[a]).Value) > tolerance).ToList();
                if (off.Count > 0)
                {
                    throw new HardwareFaultException($"GRBL reports Idle at {status.Position}, not at the target {target} (axes {string.Join(",", off)} beyond {tolerance:0.###} µm). The command stream is out of step; home the stage.", requiresHoming: true);
                }
                return;
            }
            if (abort.IsCompleted)
            {
                throw await abort.ConfigureAwait(false);
            }
            ThrowIfHeld(status, target);
            await Task.Delay(_options.MotionPollInterval, _clock, token).ConfigureAwait(false);
        }
    }

    private void ThrowIfHeld(StageStatus status, StagePosition target)
    {
        var reason = status.State switch
        {
            StageMotionState.Door => "the safety door is open (GRBL holds the motion in Door state)",
            StageMotionState.Hold => "the motion was feed-held",
            StageMotionState.Alarm => "GRBL is in alarm",
            _ => null,
        };
        if (reason is not null)
        {
            throw new HardwareFaultException($"Move to {target} did not complete: {reason}. The stage stopped at {status.Position}; close the door and resume, or reset and home.");
        }
    }

    private double PositionToleranceMicrometres()
    {
        var s = ControllerSettings;
        var step = new[] { 100, 101, 102 }.Max(n => 1000.0 / Math.Max(1, s.Number(n, 250)));
        return Math.Max(_options.PositionTolerance.Value, step + 1.0);
    }

    private TimeSpan TrapezoidTime(StagePosition from, StagePosition to, double? feedMillimetresPerMinute = null)
    {
        var s = ControllerSettings;
        return TrapezoidProfile.Duration(
            [(to.X - from.X).Millimetres, (to.Y - from.Y).Millimetres, (to.Z - from.Z).Millimetres],
            [s.Number(110, 500), s.Number(111, 500), s.Number(112, 500)],
            [s.Number(120, 10), s.Number(121, 10), s.Number(122, 10)],
            feedMillimetresPerMinute);
    }

    private TimeSpan MoveTimeout(TimeSpan trapezoid) =>
        trapezoid * _options.MotionTimeoutFactor + _options.MotionTimeoutMargin + _options.SettleTime;

    /// <summary>
    /// Where a move starts: the target of the last confirmed move (or the homed position), else a fresh status
    /// report. Never the cached <see cref="Status"/>, which may predate the last move.
    /// </summary>
    private async Task<StagePosition> CommandedStartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_commandedPosition is { } known)
            {
                return known;
            }
        }
        return (await QueryStatusAsync(cancellationToken).ConfigureAwait(false)).Position;
    }

    /// <summary>The trapezoid time GRBL needs between two positions under the controller's settings (for benchmarks and timeouts).</summary>
    public TimeSpan PlannedMoveTime(StagePosition from, StagePosition to) => TrapezoidTime(from, to);

    /// <summary>The timeout a rapid move between two positions gets: trapezoid × factor + margin + settle.</summary>
    public TimeSpan PlannedMoveTimeout(StagePosition from, StagePosition to) => MoveTimeout(TrapezoidTime(from, to));

    /// <summary>The timeout the last move was given (derived from its commanded start), for diagnostics and tests.</summary>
    public TimeSpan LastMoveTimeout { get; private set; }

    private void CheckTravel(StagePosition target)
    {
        var outside = new List<string>();
        foreach (var axis in Enum.GetValues<Axis>())
        {
            var (min, max) = TravelOf(axis);
            if (target[axis] < min || target[axis] > max)
            {
                outside.Add(OutsideTravelText(axis, target[axis], min, max));
            }
        }
        if (outside.Count > 0)
        {
            throw new HardwareFaultException("Refused to send the move: " + string.Join("; ", outside) + " (GRBL would raise ALARM:2 soft limit). Nothing moved.");
        }
    }

    private void EnsureConnected()
    {
        if (!IsConnected)
        {
            throw new HardwareFaultException($"The motion controller on {_options.PortName} is not connected{DisconnectReason()}. Call ConnectAsync, or wait for the port to come back.");
        }
    }

    private void EnsureReadyForMotion()
    {
        EnsureConnected();
        StageStatus status;
        bool homed;
        string because;
        lock (_gate)
        {
            status = _status;
            homed = _homed;
            because = _homingRequiredBecause;
        }
        if (_options.RequireHoming && !homed)
        {
            throw new HardwareFaultException($"The stage must be homed before it moves: {because}.", requiresHoming: true);
        }
        if (status.State is StageMotionState.Alarm or StageMotionState.Door or StageMotionState.Hold)
        {
            throw new HardwareFaultException($"The stage cannot move while GRBL is in {status.State} state; close the door and resume, or home the stage.");
        }
    }

    /// <summary>Feed hold until stopped, then reset, so that GRBL's buffers and ours agree again. Returns true when homing is needed.</summary>
    private async Task<bool> RecoverAsync(string reason)
    {
        // Each step has its own bound (a status round trip, the banner after the reset) and the polls are counted: no
        // timer spans the station's own work between them (see CancelJogAsync).
        var cts = CancellationToken.None;
        try
        {
            WriteRealtime(FeedHoldByte);
            for (var i = 0; i < 50; i++)
            {
                var status = await QueryStatusAsync(cts).ConfigureAwait(false);
                bool holdComplete;
                lock (_gate)
                {
                    holdComplete = _lastReport is { State: StageMotionState.Hold, SubState: 0 };
                }
                if (status.State is StageMotionState.Idle or StageMotionState.Alarm or StageMotionState.Door || holdComplete)
                {
                    break;
                }
                await Task.Delay(_options.MotionPollInterval, _clock, cts).ConfigureAwait(false);
            }
            await SoftResetAsync(reason, cts).ConfigureAwait(false);
            await QueryStatusAsync(cts).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HardwareFaultException or OperationCanceledException or TimeoutException)
        {
            _log.LogError(ex, "Recovering the controller after '{Reason}' failed", reason);
        }
        lock (_gate)
        {
            return !_homed;
        }
    }

    public async Task JogAsync(Axis axis, Micrometres distance, double feedMillimetresPerMinute, CancellationToken cancellationToken)
    {
        if (feedMillimetresPerMinute <= 0 || double.IsNaN(feedMillimetresPerMinute))
        {
            throw new ArgumentOutOfRangeException(nameof(feedMillimetresPerMinute), feedMillimetresPerMinute, "Jog feed must be a positive mm/min value.");
        }
        await EnterOperationAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureConnected();
            lock (_gate)
            {
                // A jog is acknowledged when queued and may be cancelled anywhere: where it ends is known only from status.
                _commandedPosition = null;
            }
            await SendCommandAsync(GCode.Jog(axis, distance, feedMillimetresPerMinute), _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (axis == Axis.Z && distance.Value != 0)
                {
                    _lastZDirection = distance.Value > 0 ? 1 : -1;
                }
            }
        }
        finally
        {
            _operation.Release();
        }
    }

    public async Task CancelJogAsync(CancellationToken cancellationToken)
    {
        EnsureConnected();
        WriteRealtime(JogCancelByte);
        // Bounded by a number of polls, not a timer spanning them: on a virtual clock a timer armed across the
        // station's own work between polls could fall due before the next poll is even asked for.
        var polls = Math.Max(1, (int)Math.Ceiling(_options.CommandTimeout / _options.MotionPollInterval));
        for (var i = 0; i < polls; i++)
        {
            var status = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.State != StageMotionState.Jog)
            {
                return;
            }
            await Task.Delay(_options.MotionPollInterval, _clock, cancellationToken).ConfigureAwait(false);
        }
        throw new HardwareFaultException(string.Create(CultureInfo.InvariantCulture,
            $"GRBL on {_options.PortName} was still jogging {polls} status polls ({_options.CommandTimeout.TotalSeconds:0.###} s) after the jog cancel (0x85). Feed-hold or reset the controller."));
    }

    public Task FeedHoldAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WriteRealtime(FeedHoldByte);
        TaskCompletionSource<Exception>? abort;
        StagePosition? target;
        lock (_gate)
        {
            abort = _motionAbort;
            target = _currentTarget;
        }
        abort?.TrySetResult(new HardwareFaultException(
            $"Move to {target} did not complete: the station requested a feed hold (operator, door interlock or safety stop). The stage keeps its position; resume or home."));
        return Task.CompletedTask;
    }

    public Task ResumeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WriteRealtime(CycleStartByte);
        return Task.CompletedTask;
    }

    public async Task EmergencyStopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _homed = false;
            _commandedPosition = null;
            _homingRequiredBecause = "an emergency stop";
            _status = _status with { IsHomed = false };
        }
        var stopped = new HardwareFaultException("Emergency stop: motion was stopped and the controller reset. The position is unknown until the stage is homed.", requiresHoming: true);
        TaskCompletionSource<Exception>? abort;
        lock (_gate)
        {
            abort = _motionAbort;
        }
        abort?.TrySetResult(stopped);
        try
        {
            WriteRealtime(FeedHoldByte);
            await SoftResetAsync("emergency stop", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (_options.ZHoldsItself && _motorEnable is not null)
            {
                // Only a self-locking Z may lose power: an unpowered back-drivable Z would drop the optics on the case.
                _motorEnable.SetMotorsEnabled(false);
            }
            lock (_gate)
            {
                _status = _status with { IsHomed = false, At = _clock.GetUtcNow() };
            }
        }
    }

    // ---------------------------------------------------------------- stall detection

    public async Task VerifyAgainstHomeSwitchesAsync(CancellationToken cancellationToken)
    {
        await EnterOperationAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureReadyForMotion();
            var s = ControllerSettings;
            var pulloff = Micrometres.FromMillimetres(s.Number(27, 1));
            var tolerance = _options.StallCheckTolerance;
            // Homed position is -pull-off on every axis; the switches trip at 0. Stop `tolerance` short of them:
            // any switch already active there means the axis is truly further along than GRBL believes.
            var nearSwitches = StagePosition.Origin.Offset(-tolerance, -tolerance, -tolerance);
            var start = StagePosition.Origin.Offset(-pulloff, -pulloff, -pulloff);
            try
            {
                await MoveCoreAsync(start, cancellationToken).ConfigureAwait(false);
            }
            catch (GrblAlarmException alarm) when (alarm.Code == 1)
            {
                throw DeclareStall("a home switch tripped on the way back to the homed position (ALARM:1): the axis is truly nearer its switch than GRBL believes");
            }
            var before = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfSwitchesActive(before, "at the homed position");
            try
            {
                await MoveCoreAsync(nearSwitches, cancellationToken).ConfigureAwait(false);
            }
            catch (GrblAlarmException alarm) when (alarm.Code == 1)
            {
                throw DeclareStall(string.Create(CultureInfo.InvariantCulture,
                    $"a home switch tripped while approaching to {tolerance.Value:0.#} µm short of it (ALARM:1)"));
            }
            var near = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfSwitchesActive(near, string.Create(CultureInfo.InvariantCulture, $"{tolerance.Value:0.#} µm short of the switches"));
            await ProbeBeyondSwitchesAsync(start, tolerance, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _operation.Release();
        }
    }

    /// <summary>
    /// Steps lost while moving towards home leave the carriage farther from its switch than GRBL believes, which the
    /// approach short of the switches cannot see. So go on, slowly, to <paramref name="tolerance"/> beyond them, with
    /// soft and hard limits off for that one move (touching the switch is the point, not an alarm): every switch
    /// must then read active. The stage backs off to <paramref name="start"/> before the limits are re-armed.
    /// </summary>
    private async Task ProbeBeyondSwitchesAsync(StagePosition start, Micrometres tolerance, CancellationToken cancellationToken)
    {
        var settings = ControllerSettings;
        var restore = new List<(int Number, string Value)>();
        foreach (var number in new[] { 20, 21 })
        {
            if (settings.Number(number, 0) != 0)
            {
                restore.Add((number, settings[number]!));
            }
        }
        string[] missing;
        string pins;
        try
        {
            foreach (var (number, _) in restore)
            {
                await SendCommandAsync(GCode.Setting(number, "0"), _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            }
            var beyond = StagePosition.Origin.Offset(tolerance, tolerance, tolerance);
            await MoveCoreAsync(beyond, cancellationToken, _options.StallCheckFeedMillimetresPerMinute, checkTravel: false).ConfigureAwait(false);
            var past = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            pins = past.LimitPins;
            missing = [.. Enum.GetValues<Axis>().Select(a => a.ToString()).Where(a => !pins.Contains(a, StringComparison.Ordinal))];
            await MoveCoreAsync(start, cancellationToken, checkTravel: false).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (number, value) in restore)
            {
                try
                {
                    await SendCommandAsync(GCode.Setting(number, value), _options.CommandTimeout, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HardwareFaultException or OperationCanceledException)
                {
                    // The next connect re-applies grbl-settings.txt; until then the station's own travel check still guards.
                    _log.LogError(ex, "Could not re-arm GRBL setting ${Number}={Value} after the home-switch check", number, value);
                }
            }
        }
        if (missing.Length > 0)
        {
            throw DeclareStall(string.Create(CultureInfo.InvariantCulture,
                $"the {string.Join(",", missing)} home switch did not trip {tolerance.Value:0.#} µm beyond it (Pn:{pins}): the axis is truly farther from its switch than GRBL believes (steps lost moving towards home)"));
        }
    }

    private void ThrowIfSwitchesActive(StageStatus status, string where)
    {
        var active = status.LimitPins.Where(c => c is 'X' or 'Y' or 'Z').ToArray();
        if (active.Length > 0)
        {
            throw DeclareStall($"the {string.Join(",", active)} home switch is already active {where} (Pn:{status.LimitPins})");
        }
    }

    public void ReportObservedPosition(Axis axis, Micrometres expected, Micrometres observed, Micrometres tolerance, string evidence)
    {
        var error = (observed - expected).Abs();
        if (error > tolerance)
        {
            throw DeclareStall(string.Create(CultureInfo.InvariantCulture,
                $"{evidence} puts {axis} at {observed.Value:0.#} µm where the controller reports {expected.Value:0.#} µm ({error.Value:0.#} µm off, tolerance {tolerance.Value:0.#} µm)"));
        }
    }

    private HardwareFaultException DeclareStall(string evidence)
    {
        lock (_gate)
        {
            _homed = false;
            _commandedPosition = null;
            _homingRequiredBecause = "a motor stall was detected";
            _status = _status with { IsHomed = false };
        }
        var ex = new HardwareFaultException($"Stage stall detected: {evidence}. The motor lost steps, so the reported position is wrong; the stage refuses to move until it is homed.", requiresHoming: true);
        _log.LogError("{Fault}", ex.Message);
        Faulted?.Invoke(this, ex);
        return ex;
    }

    // ---------------------------------------------------------------- lifetime

    public async ValueTask DisposeAsync()
    {
        _lifetime.Cancel();
        ClosePort();
        if (_readerTask is not null)
        {
            try
            {
                // Bounded: a read on a vanished device may not observe cancellation.
                await _readerTask.WaitAsync(_options.CommandTimeout, _clock).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _log.LogWarning("The serial reader on {Port} did not stop within {Timeout}", _options.PortName, _options.CommandTimeout);
            }
        }
        if (_reconnectTask is not null)
        {
            try
            {
                await _reconnectTask.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }
        FailAllPending(new ObjectDisposedException(nameof(GrblStage)));
        _lifetime.Dispose();
        _operation.Dispose();
        _lineOrder.Dispose();
    }

    /// <summary>Operations wait for the station's own alarm clearing (reset, unlock, status refresh) to finish first.</summary>
    private async Task EnterOperationAsync(CancellationToken cancellationToken)
    {
        await _operation.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task recovery;
        lock (_gate)
        {
            recovery = _alarmRecovery;
        }
        try
        {
            await recovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _operation.Release();
            throw;
        }
    }

    private string DisconnectReason() => _disconnectedBecause is { } why ? $" ({why})" : "";

    private static TaskCompletionSource<T> NewTcs<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Printable(string raw) =>
        string.Concat(raw.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c:X2}"));

    /// <summary>
    /// The bytes written in one opening of the port, announced to the observer before each write (see
    /// <see cref="ISerialReaderSession.Writing"/>). Used under the write lock only.
    /// </summary>
    private sealed class WriteAccount(ISerialReaderSession? session)
    {
        private long _bytes;

        public void Write(Stream stream, ReadOnlySpan<byte> bytes)
        {
            session?.Writing(_bytes + bytes.Length);
            try
            {
                stream.Write(bytes);
                stream.Flush();
            }
            catch
            {
                // Nothing (or not all) reached the port: the observer must not wait for these bytes for ever.
                session?.Writing(_bytes);
                throw;
            }
            _bytes += bytes.Length;
        }
    }
}
