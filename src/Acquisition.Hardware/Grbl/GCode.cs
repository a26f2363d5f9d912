using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;

namespace Acquisition.Hardware.Grbl;

/// <summary>
/// Builds the G-code lines the stage sends. Numbers always use the invariant culture: under de-DE, 12.5 would
/// otherwise become "12,5", which GRBL reads as 12 followed by a bad word.
/// </summary>
public static class GCode
{
    /// <summary>Millimetres with 4 decimals (0.1 µm): finer than any step, so rounding never moves a target by a step.</summary>
    public static string Millimetres(Micrometres value) =>
        value.Millimetres.ToString("0.0###", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A rapid to an absolute machine position (G53 ignores work offsets, so the station never depends on them).</summary>
    public static string RapidToMachine(StagePosition target) =>
        $"G53 G0 X{Millimetres(target.X)} Y{Millimetres(target.Y)} Z{Millimetres(target.Z)}";

    /// <summary>A feed move to an absolute machine position, for slow approaches (the home-switch check).</summary>
    public static string FeedToMachine(StagePosition target, double feedMillimetresPerMinute) =>
        $"G53 G1 X{Millimetres(target.X)} Y{Millimetres(target.Y)} Z{Millimetres(target.Z)} F{Number(feedMillimetresPerMinute)}";

    public static string RapidToMachine(Axis axis, Micrometres value) => $"G53 G0 {axis}{Millimetres(value)}";

    /// <summary>A relative jog; GRBL's jog rejects targets beyond the soft limits with error:15 instead of alarming.</summary>
    public static string Jog(Axis axis, Micrometres distance, double feedMillimetresPerMinute) =>
        $"$J=G91 G21 {axis}{Millimetres(distance)} F{Number(feedMillimetresPerMinute)}";

    public static string Setting(int number, string value) => $"${number.ToString(CultureInfo.InvariantCulture)}={value}";

    /// <summary>The dwell GRBL acknowledges only after the planner buffer has drained: the end of all motion before it.</summary>
    public const string SyncDwell = "G4 P0";

    public const string Modal = "G21 G90";
}
