namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// G28/G30 as GRBL 1.1 runs them: two stored positions in machine coordinates (GRBL keeps them in EEPROM, so they
/// survive a reset; here they live as long as the controller), set to the current position by G28.1/G30.1, cleared
/// by <c>$RST=#</c> and <c>$RST=*</c>, listed by <c>$#</c>. G28/G30 go there at rapid rate; with axis words they first
/// go to that intermediate point (in the current distance mode and work coordinates), and then only the named
/// axes go on to the stored position.
/// </summary>
public sealed partial class GrblController
{
    private readonly double[][] _homePositionsMm = [new double[3], new double[3]];

    /// <summary>The stored G28 (index 0) or G30 (index 1) position, machine coordinates, mm.</summary>
    public double[] StoredPositionMm(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(index is 0 or 1, true, nameof(index));
        lock (_gate)
        {
            return [.. _homePositionsMm[index]];
        }
    }

    private int GoToStoredPosition(int index, ParsedBlock b, bool inches, bool absolute)
    {
        var stored = _homePositionsMm[index];
        var final = new double[3];
        double[]? intermediate = null;
        if (b.HasAxis)
        {
            intermediate = new double[3];
            for (var i = 0; i < 3; i++)
            {
                if (b.Axis[i] is { } a)
                {
                    intermediate[i] = AxisTarget(i, inches ? a * 25.4 : a, absolute, machine: false);
                    final[i] = stored[i];
                }
                else
                {
                    // Axes not named stay where the parser has them, on both legs.
                    intermediate[i] = _plannedMm[i];
                    final[i] = _plannedMm[i];
                }
            }
        }
        else
        {
            Array.Copy(stored, final, 3);
        }
        // GRBL's mc_line checks each leg; both are checked before the first is planned, which is what GRBL's
        // reset on a soft-limit violation from Idle (the planner is cleared) comes to.
        if (Settings.SoftLimits && ((intermediate is not null && OutsideTravel(intermediate)) || OutsideTravel(final)))
        {
            SoftLimitViolation();
            return Deferred;
        }
        _blocked = intermediate is null
            ? new BlockedLine(BlockReason.PlannerFull, final, double.MaxValue, 0, false)
            : new BlockedLine(BlockReason.PlannerFull, intermediate, double.MaxValue, 0, false) { ThenTarget = final };
        return TryUnblock() ? LastUnblockStatus() : Deferred;
    }

    private void ClearStoredParameters()
    {
        foreach (var system in _coordSystemsMm)
        {
            Array.Clear(system);
        }
        foreach (var position in _homePositionsMm)
        {
            Array.Clear(position);
        }
        _wcoCounter = 0;
    }
}
