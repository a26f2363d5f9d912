namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// GRBL's own stepper-enable output and the <c>$1</c> step idle delay, as GRBL 1.1's st_go_idle drives it: whenever
/// the steppers come to rest (end of motion, end of a hold's deceleration, a reset), the drivers stay energised
/// for <c>$1</c> ms and are then disabled, unless <c>$1=255</c> keeps them on. An alarm that stops motion disables
/// them even at 255 (after the same delay). The next move enables them again at its start.
/// </summary>
/// <remarks>
/// A disabled driver holds nothing, exactly like the station's external motor-enable line switched off: the motors
/// follow no steps and a carriage can be pushed. The machine reference is only lost if the carriage actually moves
/// (a push, or <see cref="GrblOptions.UnpoweredZDriftMicrometres"/> on a back-drivable Z).
/// </remarks>
public sealed partial class GrblController
{
    private const double StepIdleKeepEnabled = 255;

    private bool _steppersEnergised = true;
    private long? _stepperIdleDueTicks;

    /// <summary>Whether GRBL's stepper-enable output is active (false once the <c>$1</c> idle delay ran out).</summary>
    public bool SteppersEnergised
    {
        get
        {
            lock (_gate)
            {
                AdvanceToNow();
                return _steppersEnergised;
            }
        }
    }

    /// <summary>Both enables: the station's motor-enable line and GRBL's stepper-enable output.</summary>
    private bool DriversPowered => _driversEnabled && _steppersEnergised;

    /// <summary>GRBL's st_go_idle at <paramref name="atTicks"/>: keep the drivers on ($1=255, no alarm) or disable them after $1 ms.</summary>
    /// <remarks>Called from inside <see cref="OpenRecord"/> with <paramref name="mayEnable"/> false: the drivers are on there (a block was running).</remarks>
    private void StepperGoIdle(long atTicks, bool alarm, bool mayEnable = true)
    {
        var lockMs = Settings[1];
        if (lockMs >= StepIdleKeepEnabled && !alarm)
        {
            _stepperIdleDueTicks = null;
            if (mayEnable)
            {
                WakeSteppers(atTicks);
            }
            return;
        }
        _stepperIdleDueTicks = atTicks + (long)Math.Round(lockMs * TimeSpan.TicksPerMillisecond);
    }

    /// <summary>A block starts: GRBL's st_wake_up enables the drivers.</summary>
    private void WakeSteppers(long atTicks)
    {
        _stepperIdleDueTicks = null;
        if (_steppersEnergised)
        {
            return;
        }
        _steppersEnergised = true;
        for (var i = 0; i < 3; i++)
        {
            ApplyFrozen(i, atTicks);
        }
    }

    /// <summary>In <see cref="AdvanceToNow"/>: disables the drivers when the idle delay has run out; true if it did.</summary>
    private bool StepperIdleDue(long now)
    {
        if (_stepperIdleDueTicks is not { } due || due > now || (_restoreEndTicks is { } restore && restore < due))
        {
            return false;
        }
        _stepperIdleDueTicks = null;
        if (!_steppersEnergised)
        {
            return true;
        }
        var wasPowered = DriversPowered;
        _steppersEnergised = false;
        for (var i = 0; i < 3; i++)
        {
            ApplyFrozen(i, due);
        }
        if (wasPowered && _options.UnpoweredZDriftMicrometres != 0)
        {
            // A back-drivable Z sinks as soon as its driver lets go, whichever enable let go.
            _referenceValid = false;
            PushLocked(2, _options.UnpoweredZDriftMicrometres / 1000.0, due);
        }
        return true;
    }
}
