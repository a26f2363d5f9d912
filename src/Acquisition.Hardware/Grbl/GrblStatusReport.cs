using System.Globalization;
using Acquisition.Core.Hardware;

namespace Acquisition.Hardware.Grbl;

/// <summary>
/// A parsed GRBL 1.1 real-time status report, e.g. <c>&lt;Idle|MPos:-1.000,-2.500,-0.125|FS:0,0|Pn:XZ&gt;</c>.
/// Positions are in millimetres as GRBL reports them; <see cref="MachinePositionMillimetres"/> is derived from WPos
/// plus the last WCO when the controller reports work positions ($10=0).
/// </summary>
public sealed record GrblStatusReport(
    StageMotionState State,
    int SubState,
    string StateText,
    double[] MachinePositionMillimetres,
    double[]? WorkCoordinateOffsetMillimetres,
    double Feed,
    double Spindle,
    string Pins,
    int? PlannerBlocksFree,
    int? RxBytesFree)
{
    /// <summary>Parses one report; <paramref name="lastWco"/> is needed when the report carries WPos without WCO.</summary>
    public static GrblStatusReport Parse(string line, double[]? lastWco = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length < 3 || line[0] != '<' || line[^1] != '>')
        {
            throw new FormatException($"Not a GRBL status report (expected <...>): '{line}'.");
        }
        var fields = line[1..^1].Split('|');
        var stateText = fields[0];
        var colon = stateText.IndexOf(':', StringComparison.Ordinal);
        var stateName = colon >= 0 ? stateText[..colon] : stateText;
        var subState = colon >= 0 && int.TryParse(stateText.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sub) ? sub : 0;
        var state = stateName switch
        {
            "Idle" => StageMotionState.Idle,
            "Run" => StageMotionState.Run,
            "Hold" => StageMotionState.Hold,
            "Jog" => StageMotionState.Jog,
            "Home" => StageMotionState.Home,
            "Alarm" => StageMotionState.Alarm,
            "Door" => StageMotionState.Door,
            "Check" => StageMotionState.Check,
            "Sleep" => StageMotionState.Sleep,
            _ => throw new FormatException($"Unknown GRBL machine state '{stateName}' in status report '{line}'."),
        };

        double[]? mpos = null;
        double[]? wpos = null;
        double[]? wco = null;
        double feed = 0, spindle = 0;
        var pins = "";
        int? blocks = null, rx = null;
        foreach (var field in fields.Skip(1))
        {
            var sep = field.IndexOf(':', StringComparison.Ordinal);
            if (sep < 0)
            {
                continue;
            }
            var key = field[..sep];
            var value = field[(sep + 1)..];
            switch (key)
            {
                case "MPos": mpos = Numbers(value, line); break;
                case "WPos": wpos = Numbers(value, line); break;
                case "WCO": wco = Numbers(value, line); break;
                case "FS":
                    var fs = Numbers(value, line);
                    feed = fs[0];
                    spindle = fs.Length > 1 ? fs[1] : 0;
                    break;
                case "F": feed = Numbers(value, line)[0]; break;
                case "Pn": pins = value; break;
                case "Bf":
                    var bf = Numbers(value, line);
                    blocks = (int)bf[0];
                    rx = bf.Length > 1 ? (int)bf[1] : null;
                    break;
                default: break; // Ov, Ln, A: diagnostic only
            }
        }

        var offset = wco ?? lastWco;
        if (mpos is null)
        {
            if (wpos is null)
            {
                throw new FormatException($"GRBL status report has neither MPos nor WPos: '{line}'.");
            }
            if (offset is null)
            {
                throw new FormatException($"GRBL status report has WPos but no WCO has been seen yet: '{line}'. Set $10=1 so GRBL reports machine positions.");
            }
            mpos = wpos.Select((w, i) => w + (i < offset.Length ? offset[i] : 0)).ToArray();
        }
        if (mpos.Length < 3)
        {
            throw new FormatException($"GRBL status report has {mpos.Length} axes, the stage needs X, Y and Z: '{line}'.");
        }
        return new GrblStatusReport(state, subState, stateText, mpos, wco, feed, spindle, pins, blocks, rx);
    }

    private static double[] Numbers(string csv, string line)
    {
        var parts = csv.Split(',');
        var result = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]))
            {
                throw new FormatException($"Bad number '{parts[i]}' in GRBL status report '{line}'.");
            }
        }
        return result;
    }
}
