using System.Globalization;
using System.Text.RegularExpressions;

namespace Acquisition.Hardware.Grbl;

/// <summary>
/// One line from GRBL, classified. <see cref="Code"/> holds N of <c>error:N</c> / <c>ALARM:N</c>; <see cref="Text"/> the
/// printable content (line noise outside printable ASCII removed, so that a garbage byte in front of an <c>ok</c>
/// does not lose the reply).
/// </summary>
public sealed partial record GrblLine(GrblLineKind Kind, string Text, int Code)
{
    [GeneratedRegex(@"^Grbl \S+ \[.*\]$")]
    private static partial Regex BannerPattern();

    [GeneratedRegex(@"^\$\d+=\S+$")]
    private static partial Regex SettingPattern();

    public static GrblLine Classify(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var printable = new string(raw.Where(c => c >= ' ' && c <= '~').ToArray()).Trim();
        if (printable.Length == 0)
        {
            return new GrblLine(GrblLineKind.Empty, printable, 0);
        }
        if (printable == "ok")
        {
            return new GrblLine(GrblLineKind.Ok, printable, 0);
        }
        if (printable.StartsWith("error:", StringComparison.Ordinal) && TryCode(printable, "error:".Length, out var error))
        {
            return new GrblLine(GrblLineKind.Error, printable, error);
        }
        if (printable.StartsWith("ALARM:", StringComparison.Ordinal) && TryCode(printable, "ALARM:".Length, out var alarm))
        {
            return new GrblLine(GrblLineKind.Alarm, printable, alarm);
        }
        if (printable.StartsWith('<') && printable.EndsWith('>'))
        {
            return new GrblLine(GrblLineKind.Status, printable, 0);
        }
        if (printable.StartsWith("[MSG:", StringComparison.Ordinal) && printable.EndsWith(']'))
        {
            return new GrblLine(GrblLineKind.Message, printable, 0);
        }
        if (printable.StartsWith('[') && printable.EndsWith(']'))
        {
            return new GrblLine(GrblLineKind.Feedback, printable, 0);
        }
        if (SettingPattern().IsMatch(printable))
        {
            return new GrblLine(GrblLineKind.Setting, printable, 0);
        }
        if (BannerPattern().IsMatch(printable))
        {
            return new GrblLine(GrblLineKind.Banner, printable, 0);
        }
        // A garbled banner still means the controller restarted; treating it as noise would hide a reset.
        var bannerAt = printable.IndexOf("Grbl ", StringComparison.Ordinal);
        if (bannerAt > 0 && BannerPattern().IsMatch(printable[bannerAt..]))
        {
            return new GrblLine(GrblLineKind.Banner, printable[bannerAt..], 0);
        }
        return new GrblLine(GrblLineKind.Garbage, printable, 0);
    }

    /// <summary>The content of <c>[MSG:...]</c> or <c>[KEY:...]</c>.</summary>
    public string Payload => Kind is GrblLineKind.Message or GrblLineKind.Feedback && Text.Length > 2
        ? Text[1..^1]
        : Text;

    private static bool TryCode(string text, int start, out int code) =>
        int.TryParse(text.AsSpan(start), NumberStyles.None, CultureInfo.InvariantCulture, out code);
}
