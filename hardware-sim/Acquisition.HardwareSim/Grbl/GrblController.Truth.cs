using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Grbl;

public sealed partial class GrblController
{
    // A limit switch trips half a micrometre beyond its nominal position, so that a move to exactly 0 after
    // homing does not touch it.
    private const double SwitchTripMm = 0.0005;

    private readonly List<ExecutionRecord> _history = [];
    private readonly bool[] _stalled = new bool[3];
    private readonly bool[] _limitForced = new bool[3];
    private double[] _trueStepsPerMm = [1, 1, 1];
    private double[] _physicalTravelMm = [1, 1, 1];
    private ExecutionRecord _record = null!;

    private readonly record struct Evaluation(long[] Reported, long[] TrueSteps, double[] MotorMm, double[] CarriageMm);

    /// <summary>The carriage's true position at <paramref name="at"/>, µm in the ideal machine frame (home switch at 0).</summary>
    public StagePosition TruePositionAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            AdvanceToNow();
            var c = Evaluate(RecordAt(at.UtcTicks), at.UtcTicks).CarriageMm;
            return StagePosition.FromMicrometres(c[0] * 1000, c[1] * 1000, c[2] * 1000);
        }
    }

    /// <summary>Where GRBL believes the machine is at <paramref name="at"/> (its step counters), µm.</summary>
    public StagePosition ReportedPositionAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            AdvanceToNow();
            var s = RecordAt(at.UtcTicks).ReportedStepsAt(at.UtcTicks);
            var spm = StepsPerMm;
            return StagePosition.FromMicrometres(s[0] / spm[0] * 1000, s[1] / spm[1] * 1000, s[2] / spm[2] * 1000);
        }
    }

    /// <summary>GRBL's step counters now (X, Y, Z).</summary>
    public long[] ReportedSteps
    {
        get
        {
            lock (_gate)
            {
                AdvanceToNow();
                return _record.ReportedStepsAt(NowTicks);
            }
        }
    }

    /// <summary>
    /// The steps the motors truly made, in GRBL's step frame (equal to <see cref="ReportedSteps"/> unless steps were
    /// lost in a stall; re-based, like GRBL's, by homing and power cycles).
    /// </summary>
    public long[] TrueSteps
    {
        get
        {
            lock (_gate)
            {
                AdvanceToNow();
                return Evaluate(_record, NowTicks).TrueSteps;
            }
        }
    }

    /// <summary>Fault: the motor of <paramref name="axis"/> stalls (loses every step) while on.</summary>
    public void SetStalled(Axis axis, bool stalled)
    {
        lock (_gate)
        {
            AdvanceToNow();
            var i = (int)axis;
            if (_stalled[i] == stalled)
            {
                return;
            }
            _stalled[i] = stalled;
            ApplyFrozen(i, NowTicks);
            Reschedule();
        }
    }

    /// <summary>Fault: the limit switch of <paramref name="axis"/> reads active whatever the carriage does.</summary>
    public void SetLimitForced(Axis axis, bool active)
    {
        lock (_gate)
        {
            AdvanceToNow();
            var i = (int)axis;
            var was = LimitEngaged(i, NowTicks);
            _limitForced[i] = active;
            // GRBL's hard limits fire on a pin change, in any state but Alarm (and homing handles its own switches).
            if (active && !was && Settings.HardLimits && _state is not (GrblMachineState.Alarm or GrblMachineState.Home))
            {
                HardLimit(NowTicks);
            }
            Reschedule();
        }
    }

    /// <summary>The safety-door input (GRBL's Door pin): open = true.</summary>
    public void SetDoorOpen(bool open)
    {
        lock (_gate)
        {
            AdvanceToNow();
            SetDoorOpenLocked(open);
            Reschedule();
        }
    }

    public bool DoorOpen
    {
        get
        {
            lock (_gate)
            {
                return _doorOpen;
            }
        }
    }

    /// <summary>Fault: the controller reboots (brown-out, watchdog): position lost, banner, alarm lock when homing is on.</summary>
    public void PowerCycle()
    {
        lock (_gate)
        {
            AdvanceToNow();
            SoftReset(powerCycle: true);
            Reschedule();
        }
    }

    /// <summary>Fault: line noise. The bytes go out as they are, followed by CR LF unless told otherwise.</summary>
    public void InjectGarbage(ReadOnlySpan<byte> bytes, bool endLine = true)
    {
        lock (_gate)
        {
            var data = new byte[bytes.Length + (endLine ? 2 : 0)];
            bytes.CopyTo(data);
            if (endLine)
            {
                data[^2] = (byte)'\r';
                data[^1] = (byte)'\n';
            }
            _output(data);
        }
    }

    /// <summary>Fault: the next <paramref name="count"/> 'ok' responses are lost on the wire.</summary>
    public void DropNextOk(int count = 1)
    {
        lock (_gate)
        {
            _dropOks += count;
        }
    }

    /// <summary>Whether the limit switch of an axis reads active now (a switch truly pressed, or a forced fault).</summary>
    public bool LimitActive(Axis axis)
    {
        lock (_gate)
        {
            AdvanceToNow();
            return LimitEngaged((int)axis, NowTicks);
        }
    }

    /// <summary>The status report GRBL would send for a '?' now (it advances the WCO/Ov refresh counters as a real query does).</summary>
    public string StatusNow()
    {
        lock (_gate)
        {
            AdvanceToNow();
            return StatusReport();
        }
    }

    private double Scale(int i) => 1 + _options.ScaleErrorPpm[i] * 1e-6;

    private double BacklashMm(int i) => i == 2 ? _options.ZBacklashMicrometres / 1000.0 : 0;

    private void InitTruth()
    {
        // The hardware's steps per mm are what the settings said at power-up; changing $100 later changes GRBL's
        // belief, not the lead screw.
        _trueStepsPerMm = StepsPerMm;
        _physicalTravelMm = _options.PhysicalTravelMm is { } t
            ? [.. t]
            : [Settings.MaxTravelMm(0), Settings.MaxTravelMm(1), Settings.MaxTravelMm(2)];
        var truth = new AxisTruth[3];
        for (var i = 0; i < 3; i++)
        {
            var p = _options.StartPositionMm[i];
            truth[i] = new AxisTruth(0, p, 0, null, p);
        }
        _record = new ExecutionRecord(null, [0, 0, 0], NowTicks, truth);
        _history.Add(_record);
    }

    private Evaluation Evaluate(ExecutionRecord r, long ticks)
    {
        var reported = r.ReportedStepsAt(ticks);
        var trueSteps = new long[3];
        var motor = new double[3];
        var carriage = new double[3];
        for (var i = 0; i < 3; i++)
        {
            var a = r.Truth[i];
            trueSteps[i] = a.FrozenTrueSteps ?? reported[i] - a.LostSteps;
            motor[i] = a.AnchorPhysMm + (trueSteps[i] - a.AnchorSteps) / _trueStepsPerMm[i] * Scale(i);
            var half = BacklashMm(i) / 2;
            // Within one record the motor moves one way only, so the carriage is the start carriage dragged along.
            carriage[i] = half > 0 ? Math.Clamp(a.CarriageMm, motor[i] - half, motor[i] + half) : motor[i];
        }
        return new Evaluation(reported, trueSteps, motor, carriage);
    }

    private ExecutionRecord RecordAt(long ticks)
    {
        for (var i = _history.Count - 1; i >= 0; i--)
        {
            if (_history[i].FromTicks <= ticks)
            {
                return _history[i];
            }
        }
        return _history[0];
    }

    private void OpenRecord(MotionBlock? block, long atTicks)
    {
        if (block is null && _record.Block is not null)
        {
            // The steppers come to rest: GRBL's st_go_idle.
            StepperGoIdle(atTicks, alarm: false, mayEnable: false);
        }
        var ev = Evaluate(_record, atTicks);
        _record.ToTicks = atTicks;
        var truth = new AxisTruth[3];
        for (var i = 0; i < 3; i++)
        {
            truth[i] = _record.Truth[i] with { CarriageMm = ev.CarriageMm[i] };
        }
        _record = new ExecutionRecord(block, ev.Reported, atTicks, truth);
        _history.Add(_record);
        if (_history.Count > 4096)
        {
            _history.RemoveRange(0, 2048);
        }
    }

    /// <summary>GRBL sets its step counters (homing, power-up): the motors stay where they physically are.</summary>
    private void Rebase(long[] newReported, long atTicks)
    {
        OpenRecord(null, atTicks);
        var ev = Evaluate(_record, atTicks);
        var truth = new AxisTruth[3];
        for (var i = 0; i < 3; i++)
        {
            truth[i] = new AxisTruth(newReported[i], ev.MotorMm[i], 0, _stalled[i] || !DriversPowered ? newReported[i] : null, ev.CarriageMm[i]);
        }
        _record = new ExecutionRecord(null, newReported, atTicks, truth);
        _history.Add(_record);
    }

    private long[] ReportedStepsAtLocked(long ticks) => _record.ReportedStepsAt(ticks);

    private double SwitchPositionMm(int axis, int dir) => dir > 0 ? SwitchTripMm : -_physicalTravelMm[axis] - SwitchTripMm;

    private bool LimitEngaged(int axis, long ticks)
    {
        if (_limitForced[axis])
        {
            return true;
        }
        var c = Evaluate(_record, ticks).CarriageMm[axis];
        // Within half a motor step of the trip point counts as pressed: the motor can only stop on a step.
        var halfStep = 0.5 / _trueStepsPerMm[axis] * Scale(axis);
        return c >= SwitchPositionMm(axis, 1) - halfStep || c <= SwitchPositionMm(axis, -1) + halfStep;
    }

    /// <summary>How far GRBL must command the axis (mm, ≥ 0) in <paramref name="dir"/> for the carriage to trip the switch; null if it never will.</summary>
    private double? DistanceToSwitchMm(int axis, int dir, long ticks)
    {
        if (_limitForced[axis])
        {
            return 0;
        }
        if (_stalled[axis] || !_driversEnabled)
        {
            return null;
        }
        var ev = Evaluate(_record, ticks);
        var target = SwitchPositionMm(axis, dir);
        if (dir * (ev.CarriageMm[axis] - target) >= 0)
        {
            return 0;
        }
        // Moving in dir, the carriage trails the motor by half the play once the backlash is taken up.
        var motorFinal = target + dir * BacklashMm(axis) / 2;
        var motorDelta = Math.Max(0, dir * (motorFinal - ev.MotorMm[axis]));
        var mmPerCommandedMm = StepsPerMm[axis] / _trueStepsPerMm[axis] * Scale(axis);
        return motorDelta / mmPerCommandedMm;
    }

    private void ComputeLimitTrip(MotionBlock block, long startTicks)
    {
        _limitTripTicks = null;
        if (!Settings.HardLimits || block.Kind == MotionKind.Homing || block.Profile.LengthMm == 0)
        {
            return;
        }
        var ev = Evaluate(_record, startTicks);
        var tripS = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var u = block.Unit[i];
            if (u == 0 || _stalled[i] || !_driversEnabled)
            {
                continue;
            }
            var dir = Math.Sign(u);
            var sw = SwitchPositionMm(i, dir);
            if (dir * (ev.CarriageMm[i] - sw) >= 0)
            {
                continue; // already on the switch: hard limits fire on a change, not a level
            }
            var motorFinal = sw + dir * BacklashMm(i) / 2;
            var motorDelta = dir * (motorFinal - ev.MotorMm[i]);
            var perMm = block.StepsPerMm[i] / _trueStepsPerMm[i] * Scale(i);
            var s = motorDelta / (Math.Abs(u) * perMm);
            if (s >= 0 && s < block.Profile.LengthMm)
            {
                tripS = Math.Min(tripS, s);
            }
        }
        if (tripS < double.MaxValue)
        {
            _limitTripTicks = startTicks + (long)Math.Ceiling(block.Profile.TimeAtDistance(tripS) * TimeSpan.TicksPerSecond);
        }
    }

    private string PinText(long ticks)
    {
        var pins = "";
        for (var i = 0; i < 3; i++)
        {
            if (LimitEngaged(i, ticks))
            {
                pins += "XYZ"[i];
            }
        }
        if (_doorOpen)
        {
            pins += "D";
        }
        return pins;
    }
}
