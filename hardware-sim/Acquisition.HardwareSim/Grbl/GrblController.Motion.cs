using System.Globalization;

namespace Acquisition.HardwareSim.Grbl;

public sealed partial class GrblController
{
    private readonly ITimer _motionTimer;
    private readonly List<MotionBlock> _queue = [];
    private MotionBlock? _current;
    private BlockedLine? _blocked;
    private int _unblockStatus;
    private long[] _plannedSteps = [0, 0, 0];
    private double[] _plannedMm = [0, 0, 0];
    private long? _limitTripTicks;
    private long? _restoreEndTicks;
    private bool _holdComplete;
    private HoldReason _holdReason;
    private int _doorSubstate;
    private bool _doorOpen;
    private bool _spindleSuspended;
    private readonly Queue<int> _homingAxes = new();
    private int _homingPhase;

    private sealed class BlockedLine(BlockReason reason, double[]? target, double rateMmPerMin, double dwellSeconds, bool isJog)
    {
        public BlockReason Reason { get; set; } = reason;
        public double[]? Target { get; } = target;
        public double RateMmPerMin { get; } = rateMmPerMin;
        public double DwellSeconds { get; } = dwellSeconds;
        public bool IsJog { get; } = isJog;
        public long DwellEndTicks { get; set; }

        /// <summary>A second move the same line plans after the first (G28/G30: the stored position after the intermediate point).</summary>
        public double[]? ThenTarget { get; init; }

        /// <summary>Runs once the planner has drained, before the line answers (offset changes).</summary>
        public Action? AfterDrain { get; init; }
    }

    private long NowTicks => _clock.GetUtcNow().UtcTicks;

    private double[] StepsPerMm => [Settings.StepsPerMm(0), Settings.StepsPerMm(1), Settings.StepsPerMm(2)];

    private double[] MaxRates => [Settings.MaxRateMmPerMin(0), Settings.MaxRateMmPerMin(1), Settings.MaxRateMmPerMin(2)];

    private double[] Accels => [Settings.AccelerationMmPerS2(0), Settings.AccelerationMmPerS2(1), Settings.AccelerationMmPerS2(2)];

    private bool PlannerFull => (_current is null ? 0 : 1) + _queue.Count >= PlannerBlocks;

    private int LastUnblockStatus() => _unblockStatus;

    private bool TryUnblock()
    {
        var b = _blocked;
        if (b is null)
        {
            return true;
        }
        switch (b.Reason)
        {
            case BlockReason.PlannerFull:
                if (PlannerFull)
                {
                    return false;
                }
                Plan(b.Target!, b.RateMmPerMin, b.IsJog);
                if (b.ThenTarget is { } then)
                {
                    _blocked = new BlockedLine(BlockReason.PlannerFull, then, b.RateMmPerMin, 0, b.IsJog);
                    return TryUnblock();
                }
                break;
            case BlockReason.DwellAfterDrain:
                // GRBL's G4 first synchronises: it waits until the planner has drained and the machine is at rest.
                if (_current is not null || _queue.Count > 0
                    || _state is GrblMachineState.Hold or GrblMachineState.Door or GrblMachineState.Run or GrblMachineState.Jog)
                {
                    return false;
                }
                b.AfterDrain?.Invoke();
                if (b.DwellSeconds > 0)
                {
                    b.Reason = BlockReason.Dwelling;
                    b.DwellEndTicks = NowTicks + (long)Math.Round(b.DwellSeconds * TimeSpan.TicksPerSecond);
                    return false;
                }
                break;
            case BlockReason.Dwelling:
                if (NowTicks < b.DwellEndTicks)
                {
                    return false;
                }
                break;
            default:
                return false;
        }
        _blocked = null;
        _unblockStatus = GrblCodes.Ok;
        return true;
    }

    private void Plan(double[] targetMm, double rateMmPerMin, bool jog)
    {
        var spm = StepsPerMm;
        var target = new long[3];
        for (var i = 0; i < 3; i++)
        {
            target[i] = (long)Math.Round(targetMm[i] * spm[i], MidpointRounding.AwayFromZero);
        }
        _plannedMm = [.. targetMm];
        if (target.SequenceEqual(_plannedSteps))
        {
            return;
        }
        var block = new MotionBlock(_plannedSteps, target, spm, rateMmPerMin, MaxRates, Accels, 0,
            jog ? MotionKind.Jog : MotionKind.Feed);
        _plannedSteps = target;
        _queue.Add(block);
        if (_state == GrblMachineState.Idle)
        {
            _state = jog ? GrblMachineState.Jog : GrblMachineState.Run;
        }
        if (_current is null && _state is GrblMachineState.Run or GrblMachineState.Jog)
        {
            StartNextBlock(NowTicks);
        }
    }

    private void StartNextBlock(long atTicks)
    {
        _limitTripTicks = null;
        if (_queue.Count == 0)
        {
            _current = null;
            OpenRecord(null, atTicks);
            if (_state is GrblMachineState.Run or GrblMachineState.Jog)
            {
                _state = GrblMachineState.Idle;
            }
            return;
        }
        var block = _queue[0];
        _queue.RemoveAt(0);
        block.StartTicks = atTicks;
        WakeSteppers(atTicks);
        _current = block;
        OpenRecord(block, atTicks);
        ComputeLimitTrip(block, atTicks);
        ScheduleArmed(block, atTicks);
    }

    private void OnMotionTimer()
    {
        var executed = new List<string>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            Service(executed);
        }
        foreach (var line in executed)
        {
            LineExecuted?.Invoke(line);
        }
    }

    private void Service(List<string> executed)
    {
        AdvanceToNow();
        if (_blocked is not null && TryUnblock())
        {
            Respond(_unblockStatus);
        }
        Pump(executed);
        Reschedule();
    }

    /// <summary>Plays every motion event up to now, each at its own time.</summary>
    private void AdvanceToNow()
    {
        var now = NowTicks;
        for (var guard = 0; guard < 10_000; guard++)
        {
            if (FireArmedIfDue(now))
            {
                continue;
            }
            if (_current is { } b)
            {
                if (_limitTripTicks is { } trip && trip <= now && trip <= b.EndTicks)
                {
                    HardLimit(trip);
                    continue;
                }
                if (b.EndTicks <= now)
                {
                    CompleteCurrent(b.EndTicks);
                    continue;
                }
            }
            if (StepperIdleDue(now))
            {
                continue;
            }
            if (_restoreEndTicks is { } restore && restore <= now)
            {
                _restoreEndTicks = null;
                ResumeAfterRestore(restore);
                continue;
            }
            return;
        }
    }

    private void Reschedule()
    {
        if (_disposed)
        {
            return;
        }
        long? next = null;
        void Consider(long? t)
        {
            if (t is { } v && (next is null || v < next))
            {
                next = v;
            }
        }
        Consider(_current?.EndTicks);
        Consider(_limitTripTicks);
        Consider(_restoreEndTicks);
        Consider(_armedFireTicks);
        Consider(_stepperIdleDueTicks);
        if (_blocked is { Reason: BlockReason.Dwelling } d)
        {
            Consider(d.DwellEndTicks);
        }
        if (next is null)
        {
            _motionTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        _motionTimer.Change(TimeSpan.FromTicks(Math.Max(0, next.Value - NowTicks)), Timeout.InfiniteTimeSpan);
    }

    private void CompleteCurrent(long endTicks)
    {
        var b = _current!;
        _current = null;
        _limitTripTicks = null;
        if (b.Kind == MotionKind.Decelerate)
        {
            OpenRecord(null, endTicks);
            HoldStopped(endTicks);
            return;
        }
        if (b.OnComplete is { } onComplete)
        {
            OpenRecord(null, endTicks);
            onComplete();
            if (_current is null && _queue.Count > 0 && _state == GrblMachineState.Home)
            {
                StartNextBlock(endTicks);
            }
            return;
        }
        if (_state is GrblMachineState.Run or GrblMachineState.Jog)
        {
            StartNextBlock(endTicks);
        }
        else
        {
            OpenRecord(null, endTicks);
        }
    }

    private void FeedHoldRequested()
    {
        switch (_state)
        {
            case GrblMachineState.Run:
                _state = GrblMachineState.Hold;
                _holdComplete = false;
                BeginDecel(HoldReason.FeedHold);
                break;
            case GrblMachineState.Jog:
                JogCancelRequested();
                break;
            case GrblMachineState.Idle:
                _state = GrblMachineState.Hold;
                _holdComplete = true;
                break;
        }
    }

    private void JogCancelRequested()
    {
        if (_state != GrblMachineState.Jog)
        {
            return;
        }
        if (_blocked is { IsJog: true, Reason: BlockReason.PlannerFull })
        {
            // The jog line waiting for planner room is cancelled with the rest; it was accepted, so it gets its ok.
            _blocked = null;
            Respond(GrblCodes.Ok);
        }
        BeginDecel(HoldReason.JogCancel);
    }

    private void CycleStartRequested()
    {
        if (_state == GrblMachineState.Hold && _holdComplete)
        {
            _state = GrblMachineState.Run;
            _holdComplete = false;
            StartNextBlock(NowTicks);
            return;
        }
        if (_state == GrblMachineState.Door && _doorSubstate == 0)
        {
            var delay = _spindleSuspended ? TimeSpan.FromSeconds(4) : TimeSpan.Zero;
            if (delay > TimeSpan.Zero)
            {
                // GRBL restores the spindle and waits SAFETY_DOOR_SPINDLE_DELAY before resuming motion.
                _doorSubstate = 3;
                _restoreEndTicks = NowTicks + delay.Ticks;
                return;
            }
            ResumeAfterRestore(NowTicks);
        }
    }

    private void ResumeAfterRestore(long atTicks)
    {
        _spindleSuspended = false;
        _state = GrblMachineState.Run;
        StartNextBlock(atTicks);
    }

    /// <summary>Brings the current block to rest at its acceleration; the rest of it waits (or is dropped on a jog cancel).</summary>
    private void BeginDecel(HoldReason reason)
    {
        _holdReason = reason;
        var now = NowTicks;
        var b = _current;
        if (b is null || b.Kind == MotionKind.Decelerate)
        {
            if (b is null)
            {
                HoldStopped(now);
            }
            return;
        }
        var s = b.Profile.DistanceAt(b.SecondsAt(now));
        var v = b.SpeedMmPerSAt(now);
        var stepsNow = b.StepsAt(now);
        var length = b.Profile.LengthMm;
        var stopAt = Math.Min(length, s + v * v / (2 * b.Profile.AccelMmPerS2));
        var stopSteps = new long[3];
        for (var i = 0; i < 3; i++)
        {
            stopSteps[i] = b.StartSteps[i] + (long)Math.Round((b.EndSteps[i] - b.StartSteps[i]) * (length == 0 ? 1 : stopAt / length),
                MidpointRounding.AwayFromZero);
        }
        var decel = new MotionBlock(stepsNow, stopSteps, b.StepsPerMm, Math.Max(v * 60, 1e-6), MaxRates, Accels, v,
            MotionKind.Decelerate)
        {
            StartTicks = now,
        };
        if (reason != HoldReason.JogCancel && reason != HoldReason.SoftLimit && !stopSteps.SequenceEqual(b.EndSteps))
        {
            _queue.Insert(0, new MotionBlock(stopSteps, b.EndSteps, b.StepsPerMm, b.RateMmPerMin, MaxRates, Accels, 0, b.Kind)
            {
                OnComplete = b.OnComplete,
            });
        }
        _current = decel;
        _limitTripTicks = null;
        OpenRecord(decel, now);
        ComputeLimitTrip(decel, now);
    }

    private void HoldStopped(long atTicks)
    {
        switch (_holdReason)
        {
            case HoldReason.FeedHold:
                if (_state == GrblMachineState.Hold)
                {
                    _holdComplete = true;
                }
                else if (_state == GrblMachineState.Door)
                {
                    _doorSubstate = _doorOpen ? 1 : 0;
                }
                break;
            case HoldReason.Door:
                _doorSubstate = _doorOpen ? 1 : 0;
                break;
            case HoldReason.JogCancel:
                _queue.Clear();
                SyncPlannedToMachine(atTicks);
                if (_state == GrblMachineState.Jog)
                {
                    _state = GrblMachineState.Idle;
                }
                else if (_state == GrblMachineState.Door)
                {
                    _doorSubstate = _doorOpen ? 1 : 0;
                }
                break;
            case HoldReason.SoftLimit:
                _queue.Clear();
                SyncPlannedToMachine(atTicks);
                CriticalAlarm(GrblCodes.AlarmSoftLimit);
                break;
        }
    }

    private void SyncPlannedToMachine(long atTicks)
    {
        _plannedSteps = _record.ReportedStepsAt(atTicks);
        var spm = StepsPerMm;
        _plannedMm = [_plannedSteps[0] / spm[0], _plannedSteps[1] / spm[1], _plannedSteps[2] / spm[2]];
    }

    private void SoftLimitViolation()
    {
        // GRBL: a target outside the machine space never enters the planner. If a cycle runs, it first comes to
        // a controlled stop (position is kept), then resets and raises the critical soft-limit alarm.
        _blocked = new BlockedLine(BlockReason.Halted, null, 0, 0, false);
        if (_current is not null && _state == GrblMachineState.Run)
        {
            _state = GrblMachineState.Hold;
            _holdComplete = false;
            BeginDecel(HoldReason.SoftLimit);
            return;
        }
        _queue.Clear();
        SyncPlannedToMachine(NowTicks);
        CriticalAlarm(GrblCodes.AlarmSoftLimit);
    }

    private void HardLimit(long atTicks)
    {
        _referenceValid = false;
        // The limit switch stops the steppers at once (GRBL's pin-change interrupt resets the stepper subsystem).
        StopAbruptly(atTicks);
        StepperGoIdle(atTicks, alarm: true);
        CriticalAlarm(GrblCodes.AlarmHardLimit);
    }

    private void StopAbruptly(long atTicks)
    {
        if (_current is not null)
        {
            _current = null;
        }
        _limitTripTicks = null;
        _queue.Clear();
        OpenRecord(null, atTicks);
        SyncPlannedToMachine(atTicks);
    }

    private void CriticalAlarm(int alarm)
    {
        _blocked = null;
        _homingAxes.Clear();
        _state = GrblMachineState.Alarm;
        _criticalAlarm = true;
        Emit(string.Create(CultureInfo.InvariantCulture, $"ALARM:{alarm}"));
        Emit("[MSG:Reset to continue]");
    }

    private void SoftReset(bool powerCycle, int? alarmOverride = null, long? atTicks = null)
    {
        var now = atTicks ?? NowTicks;
        int? alarm = alarmOverride;
        if (!powerCycle && alarm is null)
        {
            if (_state == GrblMachineState.Home)
            {
                alarm = GrblCodes.AlarmHomingFailReset;
            }
            else if (_current is not null)
            {
                alarm = GrblCodes.AlarmAbortCycle;
            }
        }
        StopAbruptly(now);
        // GRBL's reset runs st_go_idle: with an alarm raised the drivers go off even at $1=255.
        StepperGoIdle(now, alarm: alarm is not null);
        _blocked = null;
        _homingAxes.Clear();
        _restoreEndTicks = null;
        _rx.Clear();
        _line.Clear();
        _lineOverflow = false;
        _inParenComment = false;
        _inSemicolonComment = false;
        _absolute = true;
        _inches = false;
        _motionMode = 0;
        _feedMmPerMin = 0;
        _spindleOn = false;
        _spindleSuspended = false;
        _coolantOn = false;
        _holdComplete = false;
        ResetParserOffsets();
        _wcoCounter = 0;
        _ovrCounter = 0;
        if (powerCycle || alarm is GrblCodes.AlarmAbortCycle or GrblCodes.AlarmHomingFailReset)
        {
            _referenceValid = false;
        }
        if (powerCycle)
        {
            Rebase([0, 0, 0], now);
            SyncPlannedToMachine(now);
            _criticalAlarm = false;
            _state = Settings.HomingEnabled ? GrblMachineState.Alarm : GrblMachineState.Idle;
        }
        else
        {
            if (alarm is { } a)
            {
                Emit(string.Create(CultureInfo.InvariantCulture, $"ALARM:{a}"));
                _state = GrblMachineState.Alarm;
            }
            _criticalAlarm = false;
            if (_state is not (GrblMachineState.Alarm or GrblMachineState.Idle))
            {
                _state = GrblMachineState.Idle;
            }
        }
        EmitBanner();
        if (_state == GrblMachineState.Idle && _doorOpen)
        {
            _state = GrblMachineState.Door;
            _doorSubstate = 1;
        }
    }

    private void SetDoorOpenLocked(bool open)
    {
        if (open == _doorOpen)
        {
            return;
        }
        _doorOpen = open;
        if (!open)
        {
            if (_state == GrblMachineState.Door && _doorSubstate == 1)
            {
                _doorSubstate = 0;
            }
            return;
        }
        switch (_state)
        {
            case GrblMachineState.Home:
                HomingFailed(GrblCodes.AlarmHomingFailDoor);
                return;
            case GrblMachineState.Alarm:
                return;
            case GrblMachineState.Run:
            case GrblMachineState.Jog:
                var wasJog = _state == GrblMachineState.Jog;
                SuspendAccessories();
                _state = GrblMachineState.Door;
                _doorSubstate = 2;
                BeginDecel(wasJog ? HoldReason.JogCancel : HoldReason.Door);
                return;
            case GrblMachineState.Hold:
                SuspendAccessories();
                var decelerating = !_holdComplete;
                _state = GrblMachineState.Door;
                _holdReason = HoldReason.Door;
                _doorSubstate = decelerating ? 2 : 1;
                return;
            default:
                SuspendAccessories();
                _restoreEndTicks = null;
                _state = GrblMachineState.Door;
                _doorSubstate = 1;
                return;
        }
    }

    private void SuspendAccessories()
    {
        // GRBL stops the spindle and coolant when the door opens and restores them on resume.
        if (_spindleOn || _coolantOn)
        {
            _spindleSuspended = true;
        }
    }

    private int StartHoming()
    {
        if (!Settings.HomingEnabled)
        {
            return GrblCodes.SettingDisabled;
        }
        if (_state is not (GrblMachineState.Idle or GrblMachineState.Alarm))
        {
            return GrblCodes.IdleError;
        }
        if (_doorOpen)
        {
            return GrblCodes.CheckDoor;
        }
        _state = GrblMachineState.Home;
        _blocked = new BlockedLine(BlockReason.Homing, null, 0, 0, false);
        _homingAxes.Clear();
        // GRBL's default cycles: Z first to clear the work, then X and Y (here one after the other).
        _homingAxes.Enqueue(2);
        _homingAxes.Enqueue(0);
        _homingAxes.Enqueue(1);
        _homingPhase = 0;
        NextHomingPhase(NowTicks);
        return Deferred;
    }

    private void NextHomingPhase(long atTicks)
    {
        if (_homingAxes.Count == 0)
        {
            HomingDone(atTicks);
            return;
        }
        var axis = _homingAxes.Peek();
        var dir = Settings.HomingDirectionNegative(axis) ? -1 : 1;
        var pullOff = Settings.HomingPullOffMm;
        var start = _record.ReportedStepsAt(atTicks);
        double deltaMm;
        var failAlarm = 0;
        switch (_homingPhase)
        {
            case 0:
            case 2:
                var search = _homingPhase == 0 ? 1.5 * Settings.MaxTravelMm(axis) : 5 * pullOff;
                var toSwitch = DistanceToSwitchMm(axis, dir, atTicks);
                if (toSwitch is null || toSwitch.Value > search)
                {
                    deltaMm = dir * search;
                    failAlarm = GrblCodes.AlarmHomingFailApproach;
                }
                else
                {
                    deltaMm = dir * toSwitch.Value;
                }
                break;
            default:
                deltaMm = -dir * pullOff;
                break;
        }
        var rate = _homingPhase == 0 ? Settings.HomingSeekMmPerMin : Settings.HomingFeedMmPerMin;
        var spm = StepsPerMm;
        var end = (long[])start.Clone();
        end[axis] += (long)Math.Round(deltaMm * spm[axis], MidpointRounding.AwayFromZero);
        var phase = _homingPhase;
        var block = new MotionBlock(start, end, spm, rate, MaxRates, Accels, 0, MotionKind.Homing)
        {
            OnComplete = () => AfterHomingPhase(axis, dir, phase, failAlarm),
        };
        _queue.Add(block);
        StartNextBlock(atTicks);
    }

    private void AfterHomingPhase(int axis, int dir, int phase, int failAlarm)
    {
        var t = _record.FromTicks;
        if (failAlarm != 0)
        {
            HomingFailed(failAlarm);
            return;
        }
        if (phase is 1 or 3 && LimitEngaged(axis, t))
        {
            HomingFailed(GrblCodes.AlarmHomingFailPullOff);
            return;
        }
        _homingPhase = phase + 1;
        if (_homingPhase > 3)
        {
            _homingAxes.Dequeue();
            _homingPhase = 0;
        }
        NextHomingPhase(t);
    }

    private void HomingDone(long atTicks)
    {
        var spm = StepsPerMm;
        var steps = new long[3];
        for (var i = 0; i < 3; i++)
        {
            // GRBL without HOMING_FORCE_SET_ORIGIN: machine space is negative from the homed origin.
            var mm = Settings.HomingDirectionNegative(i)
                ? -Settings.MaxTravelMm(i) + Settings.HomingPullOffMm
                : -Settings.HomingPullOffMm;
            steps[i] = (long)Math.Round(mm * spm[i], MidpointRounding.AwayFromZero);
        }
        Rebase(steps, atTicks);
        SyncPlannedToMachine(atTicks);
        _referenceValid = _driversEnabled;
        _state = GrblMachineState.Idle;
        _blocked = null;
        Respond(GrblCodes.Ok);
    }

    private void HomingFailed(int alarm)
    {
        // GRBL's homing failure resets the controller after raising the alarm: ALARM:n, then the banner.
        _homingAxes.Clear();
        _state = GrblMachineState.Alarm;
        SoftReset(powerCycle: false, alarmOverride: alarm);
    }
}
