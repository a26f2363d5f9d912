using System.Globalization;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>Parsers for the console's compact value syntaxes; each error says what is accepted.</summary>
internal static class ValueParsers
{
    /// <summary>"all" (null), or a list like "0,2,4" or "0-3,6" of 0-based ring segments.</summary>
    public static IReadOnlyList<int>? Segments(string text)
    {
        if (string.Equals(text.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var result = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length == 1 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var single))
            {
                result.Add(single);
            }
            else if (range.Length == 2
                && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                && from <= to)
            {
                for (var i = from; i <= to; i++)
                {
                    result.Add(i);
                }
            }
            else
            {
                throw CliException.Usage($"'{text}' is not a segment list. Use 'all', or 0-based segment numbers and ranges such as '0,2,4' or '0-3'.");
            }
        }
        return result.ToArray();
    }

    /// <summary>A light level: a fraction 0–1 ("0.4") or a percentage ("40%").</summary>
    public static double Level(string text, string what)
    {
        var t = text.Trim();
        var percent = t.EndsWith('%');
        if (!double.TryParse(percent ? t[..^1] : t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw CliException.Usage($"{what} '{text}' is not a number. Give a fraction 0–1 (0.4) or a percentage (40%).");
        }
        if (percent)
        {
            value /= 100.0;
        }
        if (value is < 0 or > 1)
        {
            throw CliException.Usage($"{what} '{text}' is out of range: levels are 0–1 (or 0%–100%).");
        }
        return value;
    }
}
