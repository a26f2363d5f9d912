using System.Globalization;
using System.Text;

namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// Work coordinates as GRBL 1.1 keeps them: six coordinate systems G54–G59 (GRBL stores them in EEPROM, so they
/// survive a reset; here they live as long as the controller), the G92 offset (cleared by a reset, as GRBL's
/// gc_init clears the parser state), G10 L2/L20 and G92/G92.1 to set them, the WCO field of the status report and
/// the <c>$#</c> listing. GRBL's default FORCE_BUFFER_SYNC_DURING_WCO_CHANGE makes a line that changes the offsets
/// wait until the planner has drained before it takes effect and answers.
/// </summary>
public sealed partial class GrblController
{
    private readonly double[][] _coordSystemsMm = [new double[3], new double[3], new double[3], new double[3], new double[3], new double[3]];
    private double[] _g92Mm = new double[3];
    private int _coordSelect;

    /// <summary>The work coordinate offset GRBL reports as WCO (active coordinate system plus G92), mm.</summary>
    public double[] WorkCoordinateOffsetMm
    {
        get
        {
            lock (_gate)
            {
                return WcoLocked();
            }
        }
    }

    private double[] WcoLocked() =>
        [_coordSystemsMm[_coordSelect][0] + _g92Mm[0], _coordSystemsMm[_coordSelect][1] + _g92Mm[1], _coordSystemsMm[_coordSelect][2] + _g92Mm[2]];

    /// <summary>G10 L2/L20: checks the words and computes the new coordinate system; the change waits for the planner to drain.</summary>
    private int SetCoordinateData(ParsedBlock b, bool inches)
    {
        if (b.L is null || b.P is null)
        {
            return GrblCodes.ValueWordMissing;
        }
        if (b.L.Value != Math.Floor(b.L.Value) || b.L.Value is not (2 or 20))
        {
            return GrblCodes.UnsupportedCommand;
        }
        if (b.P.Value != Math.Floor(b.P.Value) || b.P.Value < 0)
        {
            return GrblCodes.CommandValueNotInteger;
        }
        if (b.P.Value > _coordSystemsMm.Length)
        {
            return GrblCodes.UnsupportedCoordinateSystem;
        }
        if (!b.HasAxis)
        {
            return GrblCodes.NoAxisWords;
        }
        var index = b.P.Value == 0 ? _coordSelect : (int)b.P.Value - 1;
        var data = (double[])_coordSystemsMm[index].Clone();
        for (var i = 0; i < 3; i++)
        {
            if (b.Axis[i] is not { } a)
            {
                continue;
            }
            var v = inches ? a * 25.4 : a;
            // L20: the current position is to read as v in that system; L2: the offset itself.
            data[i] = b.L.Value == 20 ? _plannedMm[i] - _g92Mm[i] - v : v;
        }
        return ChangeOffsetsAfterDrain(() => _coordSystemsMm[index] = data);
    }

    /// <summary>G92 (set) and G92.1 (clear).</summary>
    private int SetG92(ParsedBlock b, bool inches)
    {
        if (b.ClearG92)
        {
            return ChangeOffsetsAfterDrain(() => _g92Mm = new double[3]);
        }
        if (!b.HasAxis)
        {
            return GrblCodes.NoAxisWords;
        }
        var g92 = (double[])_g92Mm.Clone();
        for (var i = 0; i < 3; i++)
        {
            if (b.Axis[i] is { } a)
            {
                g92[i] = _plannedMm[i] - _coordSystemsMm[_coordSelect][i] - (inches ? a * 25.4 : a);
            }
        }
        return ChangeOffsetsAfterDrain(() => _g92Mm = g92);
    }

    private int ChangeOffsetsAfterDrain(Action change)
    {
        _blocked = new BlockedLine(BlockReason.DwellAfterDrain, null, 0, 0, false)
        {
            AfterDrain = () =>
            {
                change();
                // GRBL's system_flag_wco_change: the next status report carries WCO.
                _wcoCounter = 0;
            },
        };
        return TryUnblock() ? LastUnblockStatus() : Deferred;
    }

    private void SelectCoordinateSystem(int index)
    {
        if (index != _coordSelect)
        {
            _coordSelect = index;
            _wcoCounter = 0;
        }
    }

    private void EmitParameters()
    {
        for (var n = 0; n < _coordSystemsMm.Length; n++)
        {
            Emit(Parameter("G" + (54 + n).ToString(CultureInfo.InvariantCulture), _coordSystemsMm[n]));
        }
        Emit(Parameter("G28", _homePositionsMm[0]));
        Emit(Parameter("G30", _homePositionsMm[1]));
        Emit(Parameter("G92", _g92Mm));
        Emit("[TLO:0.000]");
        Emit("[PRB:0.000,0.000,0.000:0]");
    }

    private string Parameter(string name, double[] mm)
    {
        var sb = new StringBuilder("[").Append(name).Append(':');
        AppendAxes(sb, ReportUnits(mm));
        return sb.Append(']').ToString();
    }

    /// <summary>$13=1 makes GRBL report in inches.</summary>
    private double[] ReportUnits(double[] mm) => Settings[13] != 0 ? [mm[0] / 25.4, mm[1] / 25.4, mm[2] / 25.4] : mm;

    private void ResetParserOffsets()
    {
        _g92Mm = new double[3];
        _coordSelect = 0;
    }
}
