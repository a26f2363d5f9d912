using System.Globalization;
using System.Text;
using Acquisition.HardwareSim.Clock;

namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// A GRBL 1.1h controller: line protocol with its 128-byte receive buffer, real-time bytes, status reports,
/// $-settings, homing, jogging, the G-code the station uses, alarms and the safety door, with motion timed by
/// trapezoidal profiles on the simulation clock. Bytes in through <see cref="Receive"/>, out through the sink.
/// </summary>
public sealed partial class GrblController : IDisposable
{
    public const string Banner = "Grbl 1.1h ['$' for help]";
    public const int RxBufferSize = 128;
    public const int PlannerBlocks = 15;

    // GRBL keeps at most LINE_BUFFER_SIZE-1 = 79 significant characters (spaces and comments are not stored).
    private const int MaxLineChars = 79;

    private readonly object _gate = new();
    private readonly SimulationClock _clock;
    private readonly GrblOptions _options;
    private readonly Action<byte[]> _output;
    private readonly Queue<byte> _rx = new();
    private readonly StringBuilder _line = new();
    private bool _lineOverflow;
    private bool _inParenComment;
    private bool _inSemicolonComment;

    private GrblMachineState _state = GrblMachineState.Idle;
    private bool _criticalAlarm;
    private bool _absolute = true;
    private bool _inches;
    private int _motionMode; // 0 = G0, 1 = G1
    private double _feedMmPerMin;
    private double _spindleSpeed;
    private bool _spindleOn;
    private bool _coolantOn;
    private int _wcoCounter;
    private int _ovrCounter;
    private int _dropOks;
    private bool _disposed;

    public GrblController(SimulationClock clock, GrblOptions options, Action<byte[]> output)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        options.Validate();
        _clock = clock;
        _options = options;
        _output = output;
        Settings = new GrblSettings(options.SettingOverrides, options.SettingsPath);
        _motionTimer = clock.CreateTimer(_ => OnMotionTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        InitTruth();
    }

    /// <summary>The $-settings (persisted when a path was given).</summary>
    public GrblSettings Settings { get; }

    /// <summary>Bytes the station sent while the 128-byte receive buffer was full: GRBL drops them.</summary>
    public int RxOverflowBytes { get; private set; }

    public GrblMachineState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised (outside the lock) with every complete line the controller executed, for diagnostics.</summary>
    public event Action<string>? LineExecuted;

    /// <summary>Power-up: prints the banner (and the alarm-lock message when homing is enabled, as GRBL's HOMING_INIT_LOCK does).</summary>
    public void PowerOn()
    {
        lock (_gate)
        {
            if (Settings.HomingEnabled)
            {
                _state = GrblMachineState.Alarm;
            }
            StepperGoIdle(NowTicks, alarm: false);
            Reschedule();
            EmitBanner();
        }
    }

    /// <summary>Bytes from the station.</summary>
    public void Receive(ReadOnlySpan<byte> data)
    {
        var executed = new List<string>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            AdvanceToNow();
            foreach (var b in data)
            {
                if (IsRealtime(b))
                {
                    Realtime(b);
                    continue;
                }
                if (_rx.Count >= RxBufferSize)
                {
                    RxOverflowBytes++;
                    continue;
                }
                _rx.Enqueue(b);
                Pump(executed);
            }
            Pump(executed);
            Reschedule();
        }
        foreach (var line in executed)
        {
            LineExecuted?.Invoke(line);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        _motionTimer.Dispose();
    }

    private static bool IsRealtime(byte b) => b is (byte)'?' or (byte)'!' or (byte)'~' or 0x18 || b >= 0x80;

    private void Realtime(byte b)
    {
        switch (b)
        {
            case (byte)'?':
                Emit(StatusReport());
                break;
            case (byte)'!':
                FeedHoldRequested();
                break;
            case (byte)'~':
                CycleStartRequested();
                break;
            case 0x18:
                SoftReset(powerCycle: false);
                break;
            case 0x84:
                SetDoorOpenLocked(true);
                break;
            case 0x85:
                JogCancelRequested();
                break;
            default:
                // Overrides (0x90–0x9D) and accessory toggles (0xA0–0xA1): accepted, not simulated.
                break;
        }
    }

    /// <summary>Takes characters out of the receive buffer into the line buffer and executes complete lines, while not blocked.</summary>
    private void Pump(List<string> executed)
    {
        while (!_criticalAlarm && _blocked is null && _rx.Count > 0)
        {
            var c = (char)_rx.Dequeue();
            if (c is '\n' or '\r')
            {
                var line = _line.ToString();
                var overflow = _lineOverflow;
                _line.Clear();
                _lineOverflow = false;
                _inParenComment = false;
                _inSemicolonComment = false;
                executed.Add(line);
                ExecuteLine(line, overflow);
                continue;
            }
            if (_inParenComment)
            {
                _inParenComment = c != ')';
                continue;
            }
            if (_inSemicolonComment)
            {
                continue;
            }
            if (c == '(')
            {
                _inParenComment = true;
                continue;
            }
            if (c == ';')
            {
                _inSemicolonComment = true;
                continue;
            }
            if (c <= ' ')
            {
                continue;
            }
            if (_line.Length >= MaxLineChars)
            {
                _lineOverflow = true;
                continue;
            }
            _line.Append(char.ToUpperInvariant(c));
        }
    }

    private void ExecuteLine(string line, bool overflow)
    {
        int status;
        if (overflow)
        {
            status = GrblCodes.Overflow;
        }
        else if (line.Length == 0)
        {
            status = GrblCodes.Ok;
        }
        else if (line[0] == '$')
        {
            status = SystemCommand(line);
        }
        else if (_state is GrblMachineState.Alarm or GrblMachineState.Jog)
        {
            status = GrblCodes.SystemGcLock;
        }
        else
        {
            status = GCode(line);
        }
        Respond(status);
    }

    /// <summary>Sends ok / error:N; <see cref="Deferred"/> means the answer comes later (or never, on a reset).</summary>
    private void Respond(int status)
    {
        if (status == Deferred)
        {
            return;
        }
        if (status == GrblCodes.Ok)
        {
            if (_dropOks > 0)
            {
                _dropOks--;
                return;
            }
            Emit("ok");
            return;
        }
        Emit(string.Create(CultureInfo.InvariantCulture, $"error:{status}"));
    }

    private const int Deferred = -1;

    private int SystemCommand(string line)
    {
        var idleOrAlarm = _state is GrblMachineState.Idle or GrblMachineState.Alarm;
        switch (line)
        {
            case "$":
                Emit("[HLP:$$ $# $G $I $N $x=val $Nx=line $J=line $SLP $C $X $H ~ ! ? ctrl-x]");
                return GrblCodes.Ok;
            case "$$":
                if (!idleOrAlarm)
                {
                    return GrblCodes.IdleError;
                }
                foreach (var n in Settings.Numbers)
                {
                    Emit(Settings.Format(n));
                }
                return GrblCodes.Ok;
            case "$I":
                if (!idleOrAlarm)
                {
                    return GrblCodes.IdleError;
                }
                Emit("[VER:1.1h.20190825:]");
                Emit(string.Create(CultureInfo.InvariantCulture, $"[OPT:V,{PlannerBlocks},{RxBufferSize}]"));
                return GrblCodes.Ok;
            case "$G":
                Emit(string.Create(CultureInfo.InvariantCulture,
                    $"[GC:G{_motionMode} G{54 + _coordSelect} G17 {(_inches ? "G20" : "G21")} {(_absolute ? "G90" : "G91")} G94 {(_spindleOn ? "M3" : "M5")} {(_coolantOn ? "M8" : "M9")} T0 F{_feedMmPerMin:0} S{_spindleSpeed:0}]"));
                return GrblCodes.Ok;
            case "$#":
                // GRBL's system.c: $# is among the commands that need Idle or Alarm.
                if (!idleOrAlarm)
                {
                    return GrblCodes.IdleError;
                }
                EmitParameters();
                return GrblCodes.Ok;
            case "$N":
                Emit("$N0=");
                Emit("$N1=");
                return GrblCodes.Ok;
            case "$X":
                if (!idleOrAlarm && _state != GrblMachineState.Door)
                {
                    return GrblCodes.IdleError;
                }
                if (_doorOpen)
                {
                    return GrblCodes.CheckDoor;
                }
                if (_state == GrblMachineState.Alarm)
                {
                    Emit("[MSG:Caution: Unlocked]");
                    _state = GrblMachineState.Idle;
                }
                return GrblCodes.Ok;
            case "$H":
                return StartHoming();
            case "$C":
            case "$SLP":
                return GrblCodes.UnsupportedCommand;
            case "$RST=$":
            case "$RST=#":
            case "$RST=*":
                if (!idleOrAlarm)
                {
                    return GrblCodes.IdleError;
                }
                // GRBL's settings_restore: $ the settings, # the coordinate data (G54-G59, G28, G30), * both.
                if (line != "$RST=#")
                {
                    Settings.RestoreDefaults();
                }
                if (line != "$RST=$")
                {
                    ClearStoredParameters();
                }
                return GrblCodes.Ok;
        }
        if (line.StartsWith("$J=", StringComparison.Ordinal))
        {
            return Jog(line[3..]);
        }
        var eq = line.IndexOf('=');
        if (eq > 1 && int.TryParse(line.AsSpan(1, eq - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            if (!idleOrAlarm)
            {
                return GrblCodes.IdleError;
            }
            if (!double.TryParse(line.AsSpan(eq + 1), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
                    CultureInfo.InvariantCulture, out var value))
            {
                return GrblCodes.BadNumberFormat;
            }
            return Settings.TrySet(number, value);
        }
        return GrblCodes.InvalidStatement;
    }

    private readonly record struct Word(char Letter, double Value);

    private static int ParseWords(string line, List<Word> words)
    {
        var i = 0;
        while (i < line.Length)
        {
            var letter = line[i];
            if (letter is < 'A' or > 'Z')
            {
                return GrblCodes.ExpectedCommandLetter;
            }
            i++;
            var start = i;
            while (i < line.Length && (char.IsAsciiDigit(line[i]) || line[i] is '.' or '-' or '+'))
            {
                i++;
            }
            if (!double.TryParse(line.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
                    CultureInfo.InvariantCulture, out var value))
            {
                return GrblCodes.BadNumberFormat;
            }
            words.Add(new Word(letter, value));
        }
        return GrblCodes.Ok;
    }

    private sealed class ParsedBlock
    {
        public int? Motion;
        public bool Dwell;
        public bool Machine;
        public bool SetCoordinates;
        public bool SetG92;
        public bool ClearG92;
        public int? CoordSelect;
        public int? GoHome;
        public int? SetHome;
        public double? L;
        public bool? Absolute;
        public bool? Inches;
        public double?[] Axis = new double?[3];
        public double? Feed;
        public double? P;
        public double? S;
        public int? Spindle;
        public int? Coolant;
        public bool HasAxis => Axis.Any(a => a.HasValue);
    }

    private static int ParseBlock(string line, bool jog, out ParsedBlock block)
    {
        block = new ParsedBlock();
        var words = new List<Word>();
        var rc = ParseWords(line, words);
        if (rc != GrblCodes.Ok)
        {
            return rc;
        }
        var seen = new HashSet<char>();
        var modalGroups = new HashSet<string>();
        foreach (var w in words)
        {
            if (w.Letter is 'G' or 'M')
            {
                var g921 = w.Letter == 'G' && !jog && Math.Abs(w.Value - 92.1) < 1e-9;
                // G28.1/G30.1 store the current machine position as the G28/G30 position.
                var g281 = w.Letter == 'G' && !jog && Math.Abs(w.Value - 28.1) < 1e-9;
                var g301 = w.Letter == 'G' && !jog && Math.Abs(w.Value - 30.1) < 1e-9;
                if (w.Value != Math.Floor(w.Value) && !g921 && !g281 && !g301)
                {
                    return GrblCodes.UnsupportedCommand;
                }
                var code = g921 ? -921 : g281 ? -281 : g301 ? -301 : (int)w.Value;
                string group;
                if (w.Letter == 'G')
                {
                    switch (code)
                    {
                        case 0 or 1 when !jog:
                            block.Motion = code;
                            group = "motion";
                            break;
                        case 4 when !jog:
                            block.Dwell = true;
                            group = "nonmodal";
                            break;
                        case 53:
                            block.Machine = true;
                            group = "nonmodal";
                            break;
                        case 90 or 91:
                            block.Absolute = code == 90;
                            group = "distance";
                            break;
                        case 20 or 21:
                            block.Inches = code == 20;
                            group = "units";
                            break;
                        case 10 when !jog:
                            block.SetCoordinates = true;
                            group = "nonmodal";
                            break;
                        case 92 when !jog:
                            block.SetG92 = true;
                            group = "nonmodal";
                            break;
                        case -921:
                            block.ClearG92 = true;
                            group = "nonmodal";
                            break;
                        case 28 or 30 when !jog:
                            block.GoHome = code == 28 ? 0 : 1;
                            group = "nonmodal";
                            break;
                        case -281 or -301:
                            block.SetHome = code == -281 ? 0 : 1;
                            group = "nonmodal";
                            break;
                        case >= 54 and <= 59 when !jog:
                            block.CoordSelect = code - 54;
                            group = "coordinates";
                            break;
                        case 17 or 94 when !jog:
                            group = "g" + code.ToString(CultureInfo.InvariantCulture);
                            break;
                        default:
                            return jog ? GrblCodes.InvalidJogCommand : GrblCodes.UnsupportedCommand;
                    }
                }
                else
                {
                    if (jog)
                    {
                        return GrblCodes.InvalidJogCommand;
                    }
                    switch (code)
                    {
                        case 3 or 4 or 5:
                            block.Spindle = code;
                            group = "spindle";
                            break;
                        case 8 or 9:
                            block.Coolant = code;
                            group = "coolant";
                            break;
                        default:
                            return GrblCodes.UnsupportedCommand;
                    }
                }
                if (!modalGroups.Add(group))
                {
                    return GrblCodes.ModalGroupViolation;
                }
                continue;
            }
            if (!seen.Add(w.Letter))
            {
                return GrblCodes.WordRepeated;
            }
            switch (w.Letter)
            {
                case 'X': block.Axis[0] = w.Value; break;
                case 'Y': block.Axis[1] = w.Value; break;
                case 'Z': block.Axis[2] = w.Value; break;
                case 'F':
                    if (w.Value < 0)
                    {
                        return GrblCodes.NegativeValue;
                    }
                    block.Feed = w.Value;
                    break;
                case 'P' when !jog: block.P = w.Value; break;
                case 'L' when !jog: block.L = w.Value; break;
                case 'S' when !jog: block.S = w.Value; break;
                case 'N' or 'T' when !jog: break;
                default:
                    return jog ? GrblCodes.InvalidJogCommand : GrblCodes.UnsupportedCommand;
            }
        }
        return GrblCodes.Ok;
    }

    private int GCode(string line)
    {
        var rc = ParseBlock(line, jog: false, out var b);
        if (rc != GrblCodes.Ok)
        {
            return rc;
        }
        if (b.Dwell && b.P is null)
        {
            return GrblCodes.ValueWordMissing;
        }
        if (b.Dwell && b.HasAxis)
        {
            return GrblCodes.AxisWordsExist;
        }
        var motion = b.Motion ?? _motionMode;
        if (b.Machine && motion is not (0 or 1))
        {
            return GrblCodes.G53InvalidMotionMode;
        }
        var inches = b.Inches ?? _inches;
        var absolute = b.Absolute ?? _absolute;
        double? feed = b.Feed is { } f ? (inches ? f * 25.4 : f) : null;
        var setsOffsets = b.SetCoordinates || b.SetG92 || b.ClearG92;
        if (b.HasAxis && !setsOffsets && b.GoHome is null && motion == 1 && (feed ?? _feedMmPerMin) <= 0)
        {
            return GrblCodes.UndefinedFeedRate;
        }
        if (b.P is { } p && p < 0)
        {
            return GrblCodes.NegativeValue;
        }
        if (setsOffsets && b.Motion is not null && b.HasAxis)
        {
            // G10/G92 use the axis words; an explicit motion command in the same block would too.
            return GrblCodes.AxisCommandConflict;
        }
        if (b.GoHome is not null && b.Motion is not null)
        {
            // G28/G30 are axis commands of their own: an explicit G0/G1 in the same block conflicts.
            return GrblCodes.AxisCommandConflict;
        }
        if (b.L is not null && !b.SetCoordinates)
        {
            return GrblCodes.UnusedWords;
        }
        // The block is valid: commit modal state, as GRBL does before executing.
        _inches = inches;
        _absolute = absolute;
        _motionMode = motion;
        if (feed is { } newFeed)
        {
            _feedMmPerMin = newFeed;
        }
        if (b.S is { } s)
        {
            _spindleSpeed = s;
        }
        if (b.Spindle is { } sp)
        {
            _spindleOn = sp != 5;
        }
        if (b.Coolant is { } co)
        {
            _coolantOn = co == 8;
        }
        if (b.CoordSelect is { } cs)
        {
            SelectCoordinateSystem(cs);
        }
        if (b.SetCoordinates)
        {
            return SetCoordinateData(b, inches);
        }
        if (b.SetG92 || b.ClearG92)
        {
            return SetG92(b, inches);
        }
        if (b.SetHome is { } setHome)
        {
            // GRBL stores gc_state.position, the parser's position (the end of the last planned move); axis words
            // in the same block are an implicit move in the current motion mode, after the store.
            _homePositionsMm[setHome] = [.. _plannedMm];
        }
        if (b.GoHome is { } goHome)
        {
            return GoToStoredPosition(goHome, b, inches, absolute);
        }
        if (b.Dwell)
        {
            _blocked = new BlockedLine(BlockReason.DwellAfterDrain, null, 0, b.P!.Value, false);
            return TryUnblock() ? LastUnblockStatus() : Deferred;
        }
        if (!b.HasAxis)
        {
            return GrblCodes.Ok;
        }
        var target = new double[3];
        for (var i = 0; i < 3; i++)
        {
            var v = b.Axis[i] is { } a ? (inches ? a * 25.4 : a) : (double?)null;
            target[i] = v is null ? _plannedMm[i] : AxisTarget(i, v.Value, absolute, b.Machine);
        }
        if (Settings.SoftLimits && OutsideTravel(target))
        {
            SoftLimitViolation();
            return Deferred;
        }
        var rate = motion == 0 ? double.MaxValue : _feedMmPerMin;
        _blocked = new BlockedLine(BlockReason.PlannerFull, target, rate, 0, false);
        return TryUnblock() ? LastUnblockStatus() : Deferred;
    }

    private int Jog(string body)
    {
        if (_state is not (GrblMachineState.Idle or GrblMachineState.Jog))
        {
            return GrblCodes.IdleError;
        }
        var rc = ParseBlock(body, jog: true, out var b);
        if (rc != GrblCodes.Ok)
        {
            return rc;
        }
        if (b.Feed is null)
        {
            return GrblCodes.UndefinedFeedRate;
        }
        if (!b.HasAxis)
        {
            return GrblCodes.NoAxisWords;
        }
        var inches = b.Inches ?? _inches;
        var absolute = b.Absolute ?? _absolute;
        var target = new double[3];
        for (var i = 0; i < 3; i++)
        {
            var v = b.Axis[i] is { } a ? (inches ? a * 25.4 : a) : (double?)null;
            target[i] = v is null ? _plannedMm[i] : AxisTarget(i, v.Value, absolute, b.Machine);
        }
        if (Settings.SoftLimits && OutsideTravel(target))
        {
            return GrblCodes.TravelExceeded;
        }
        var feed = inches ? b.Feed.Value * 25.4 : b.Feed.Value;
        _blocked = new BlockedLine(BlockReason.PlannerFull, target, feed, 0, true);
        return TryUnblock() ? LastUnblockStatus() : Deferred;
    }

    /// <summary>An axis word → machine target, mm: G53 is machine coordinates, G90 work coordinates, G91 relative.</summary>
    private double AxisTarget(int axis, double valueMm, bool absolute, bool machine) =>
        machine ? valueMm : absolute ? valueMm + _coordSystemsMm[_coordSelect][axis] + _g92Mm[axis] : _plannedMm[axis] + valueMm;

    private bool OutsideTravel(double[] targetMm)
    {
        for (var i = 0; i < 3; i++)
        {
            // GRBL's machine space after homing is [-max travel, 0] whatever the homing direction.
            if (targetMm[i] > 0 || targetMm[i] < -Settings.MaxTravelMm(i))
            {
                return true;
            }
        }
        return false;
    }

    private string StateText() => _state switch
    {
        GrblMachineState.Hold => _holdComplete ? "Hold:0" : "Hold:1",
        GrblMachineState.Door => "Door:" + _doorSubstate.ToString(CultureInfo.InvariantCulture),
        _ => _state.ToString(),
    };

    private string StatusReport()
    {
        var now = NowTicks;
        var steps = ReportedStepsAtLocked(now);
        var sb = new StringBuilder("<").Append(StateText());
        var wco = WcoLocked();
        var machinePositions = (Settings.StatusReportMask & 1) != 0;
        var pos = new double[3];
        for (var i = 0; i < 3; i++)
        {
            pos[i] = steps[i] / Settings.StepsPerMm(i) - (machinePositions ? 0 : wco[i]);
        }
        sb.Append(machinePositions ? "|MPos:" : "|WPos:");
        AppendAxes(sb, ReportUnits(pos));
        if ((Settings.StatusReportMask & 2) != 0)
        {
            var used = (_current is null ? 0 : 1) + _queue.Count;
            sb.Append(CultureInfo.InvariantCulture, $"|Bf:{PlannerBlocks - used},{RxBufferSize - _rx.Count}");
        }
        var speed = _current?.SpeedMmPerSAt(now) ?? 0;
        sb.Append(CultureInfo.InvariantCulture, $"|FS:{Math.Round(speed * 60):0},{(_spindleOn ? _spindleSpeed : 0):0}");
        var pins = PinText(now);
        if (pins.Length > 0)
        {
            sb.Append("|Pn:").Append(pins);
        }
        var busy = _state is GrblMachineState.Home or GrblMachineState.Run or GrblMachineState.Hold
            or GrblMachineState.Jog or GrblMachineState.Door;
        if (_wcoCounter > 0)
        {
            _wcoCounter--;
        }
        else
        {
            _wcoCounter = busy ? 29 : 9;
            if (_ovrCounter == 0)
            {
                _ovrCounter = 1;
            }
            sb.Append("|WCO:");
            AppendAxes(sb, ReportUnits(wco));
        }
        if (_ovrCounter > 0)
        {
            _ovrCounter--;
        }
        else
        {
            _ovrCounter = busy ? 19 : 9;
            sb.Append("|Ov:100,100,100");
            if (_spindleOn || _coolantOn)
            {
                sb.Append("|A:").Append(_spindleOn ? "S" : "").Append(_coolantOn ? "F" : "");
            }
        }
        return sb.Append('>').ToString();
    }

    private static void AppendAxes(StringBuilder sb, double[] mm)
    {
        for (var i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            // GRBL prints the sign first, then the magnitude rounded to 3 decimals (so -0.0004 prints as -0.000).
            var v = mm[i];
            if (v < 0)
            {
                sb.Append('-');
                v = -v;
            }
            sb.Append(v.ToString("0.000", CultureInfo.InvariantCulture));
        }
    }

    private void EmitBanner()
    {
        Emit("");
        Emit(Banner);
        if (_state == GrblMachineState.Alarm)
        {
            Emit("[MSG:'$H'|'$X' to unlock]");
        }
    }

    private List<string>? _capture;

    /// <summary>
    /// Executes one line as if typed on the controller's own console, returning its replies instead of sending them
    /// to the serial port (the bench's jog buttons use it). Refused while the controller is stuck in a line.
    /// </summary>
    public IReadOnlyList<string> ExecuteLocally(string line)
    {
        lock (_gate)
        {
            AdvanceToNow();
            if (_blocked is not null || _criticalAlarm || PlannerFull)
            {
                return ["error:busy (the controller is executing a line or in a critical alarm; try again)"];
            }
            _capture = [];
            try
            {
                var clean = new string([.. line.Where(c => c > ' ')]).ToUpperInvariant();
                ExecuteLine(clean, clean.Length > MaxLineChars);
                return _capture;
            }
            finally
            {
                _capture = null;
                Reschedule();
            }
        }
    }

    private void Emit(string line)
    {
        if (_capture is not null)
        {
            _capture.Add(line);
            return;
        }
        _output(Encoding.ASCII.GetBytes(line + "\r\n"));
    }
}
