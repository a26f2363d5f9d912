using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// Faults armed for the next move, and the stepper drivers' enable line. Both act on the hidden mechanics only:
/// GRBL is open loop and cannot see either, so its reports go on as before.
/// </summary>
public sealed partial class GrblController
{
    private ArmedMoveFault? _armed;
    private MotionBlock? _armedBlock;
    private long? _armedFireTicks;
    private bool _driversEnabled = true;
    private bool _referenceValid;

    /// <summary>Raised (under the controller's lock, at the simulated moment it happens) when an armed fault fires.</summary>
    public event Action<ArmedMoveFault>? ArmedFaultFired;

    /// <summary>The fault waiting for the next move, if any.</summary>
    public ArmedMoveFault? ArmedFault
    {
        get
        {
            lock (_gate)
            {
                return _armed;
            }
        }
    }

    /// <summary>
    /// Whether the stepper drivers are powered (the station's motor-enable output). While they are not, the motors
    /// follow no steps and a carriage can be pushed (<see cref="PushCarriage"/>).
    /// </summary>
    public bool DriversEnabled
    {
        get
        {
            lock (_gate)
            {
                return _driversEnabled;
            }
        }
    }

    /// <summary>
    /// Whether GRBL's machine coordinates still match the machine since the last successful homing: false after
    /// power-up, a reset that lost position (ALARM:1/3, a reboot), and the drivers being switched off. GRBL itself
    /// has no such report; this is the bench's truth for tests and the tool.
    /// </summary>
    public bool ReferenceValid
    {
        get
        {
            lock (_gate)
            {
                return _referenceValid;
            }
        }
    }

    /// <summary>
    /// Arms a fault for the next move: <see cref="ArmedMoveFaultKind.Stall"/> of <paramref name="axis"/> once that
    /// axis has travelled <paramref name="afterMicrometres"/> in the next moves that drive it, or a controller
    /// reboot (<see cref="ArmedMoveFaultKind.ControllerReset"/>) once the next moves have covered that path length.
    /// Replaces any fault armed before.
    /// </summary>
    public void ArmFault(ArmedMoveFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (fault.AfterMicrometres < 0 || double.IsNaN(fault.AfterMicrometres))
        {
            throw new ArgumentException($"An armed fault needs a distance ≥ 0 µm, not {fault.AfterMicrometres}.", nameof(fault));
        }
        lock (_gate)
        {
            AdvanceToNow();
            _armed = fault;
            _armedBlock = null;
            _armedFireTicks = null;
            // A move already under way counts as the next move, from where it is now.
            if (_current is { Kind: not MotionKind.Decelerate } b)
            {
                ScheduleArmed(b, NowTicks);
            }
            Reschedule();
        }
    }

    public void Disarm()
    {
        lock (_gate)
        {
            _armed = null;
            _armedBlock = null;
            _armedFireTicks = null;
            Reschedule();
        }
    }

    /// <summary>The drivers' enable line. Switching it off loses the machine reference (see <see cref="ReferenceValid"/>).</summary>
    public void SetDriversEnabled(bool enabled)
    {
        lock (_gate)
        {
            AdvanceToNow();
            if (_driversEnabled == enabled)
            {
                return;
            }
            var now = NowTicks;
            var wasPowered = DriversPowered;
            _driversEnabled = enabled;
            for (var i = 0; i < 3; i++)
            {
                ApplyFrozen(i, now);
            }
            if (!enabled)
            {
                _referenceValid = false;
                if (wasPowered && _options.UnpoweredZDriftMicrometres != 0)
                {
                    // A back-drivable Z moves under the optics' weight as soon as the motor lets go.
                    PushLocked(2, _options.UnpoweredZDriftMicrometres / 1000.0, now);
                }
            }
            Reschedule();
        }
    }

    /// <summary>
    /// Pushes the carriage of <paramref name="axis"/> by hand while the drivers are off (the lead screw turns with
    /// it). A powered stepper holds its position, so this is refused while the drivers are on.
    /// </summary>
    public void PushCarriage(Axis axis, double micrometres)
    {
        lock (_gate)
        {
            AdvanceToNow();
            if (DriversPowered)
            {
                throw new InvalidOperationException(
                    "The stepper drivers are powered and hold the carriage; switch the motor-enable output off (or let GRBL's $1 step idle delay disable them) before pushing an axis.");
            }
            if (micrometres != 0)
            {
                // Moved by hand: GRBL's step counters no longer describe the carriage.
                _referenceValid = false;
            }
            PushLocked((int)axis, micrometres / 1000.0, NowTicks);
            Reschedule();
        }
    }

    private void PushLocked(int axis, double mm, long now)
    {
        OpenRecord(_current, now);
        var a = _record.Truth[axis];
        _record.Truth[axis] = a with { AnchorPhysMm = a.AnchorPhysMm + mm, CarriageMm = a.CarriageMm + mm };
        if (_current is not null)
        {
            ComputeLimitTrip(_current, now);
        }
    }

    /// <summary>An axis follows no steps while it is stalled or its driver is off.</summary>
    private void ApplyFrozen(int i, long now)
    {
        var frozen = _stalled[i] || !DriversPowered;
        var a = _record.Truth[i];
        if (frozen == a.FrozenTrueSteps.HasValue)
        {
            return;
        }
        OpenRecord(_current, now);
        var ev = Evaluate(_record, now);
        a = _record.Truth[i];
        _record.Truth[i] = frozen
            ? a with { FrozenTrueSteps = ev.TrueSteps[i] }
            : a with { FrozenTrueSteps = null, LostSteps = ev.Reported[i] - ev.TrueSteps[i] };
        if (_current is not null)
        {
            ComputeLimitTrip(_current, now);
        }
    }

    /// <summary>Called when a block starts: works out when (if ever) the armed fault fires within it.</summary>
    private void ScheduleArmed(MotionBlock block, long fromTicks)
    {
        _armedBlock = null;
        _armedFireTicks = null;
        if (_armed is not { } armed || block.Kind == MotionKind.Decelerate || block.Profile.LengthMm <= 0)
        {
            return;
        }
        // Path length per mm of the armed axis's travel (or 1 for a reset, which counts path length).
        var share = armed.Kind == ArmedMoveFaultKind.Stall ? Math.Abs(block.Unit[(int)armed.Axis]) : 1.0;
        if (share < 1e-12)
        {
            return;
        }
        var doneMm = block.Profile.DistanceAt(block.SecondsAt(fromTicks));
        var fireAtMm = doneMm + (armed.AfterMicrometres / 1000.0 / share);
        if (fireAtMm > block.Profile.LengthMm)
        {
            // Not within this block: the rest of the distance waits for the following moves.
            var left = armed.AfterMicrometres - ((block.Profile.LengthMm - doneMm) * share * 1000);
            _armed = armed with { AfterMicrometres = Math.Max(0, left) };
            return;
        }
        _armedBlock = block;
        _armedFireTicks = block.StartTicks + (long)Math.Round(block.Profile.TimeAtDistance(fireAtMm) * TimeSpan.TicksPerSecond);
        if (_armedFireTicks < fromTicks)
        {
            _armedFireTicks = fromTicks;
        }
    }

    /// <summary>In <see cref="AdvanceToNow"/>: fires the armed fault if its moment has come; true if it did.</summary>
    private bool FireArmedIfDue(long now)
    {
        if (_armedFireTicks is not { } fire || _armed is not { } armed)
        {
            return false;
        }
        if (!ReferenceEquals(_current, _armedBlock))
        {
            // The block was cut short (hold, stop): the fault waits for the next move.
            _armedBlock = null;
            _armedFireTicks = null;
            return false;
        }
        var b = _current!;
        if (fire > now || fire > b.EndTicks || (_limitTripTicks is { } trip && trip < fire))
        {
            return false;
        }
        _armed = null;
        _armedBlock = null;
        _armedFireTicks = null;
        if (armed.Kind == ArmedMoveFaultKind.Stall)
        {
            _stalled[(int)armed.Axis] = true;
            ApplyFrozen((int)armed.Axis, fire);
        }
        else
        {
            SoftReset(powerCycle: true, atTicks: fire);
        }
        ArmedFaultFired?.Invoke(armed);
        return true;
    }
}
