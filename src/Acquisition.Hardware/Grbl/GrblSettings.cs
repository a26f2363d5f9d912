using System.Globalization;

namespace Acquisition.Hardware.Grbl;

/// <summary>
/// GRBL's <c>$n=value</c> settings, as read with <c>$$</c> or from <c>firmware-config/grbl-settings.txt</c>
/// (one <c>$n=value</c> per line, <c>#</c> or <c>;</c> starts a comment). Values compare numerically, so "10" equals "10.000".
/// </summary>
public sealed class GrblSettings
{
    private readonly SortedDictionary<int, string> _values = new();

    public IReadOnlyDictionary<int, string> Values => _values;

    public string? this[int number] => _values.TryGetValue(number, out var v) ? v : null;

    public void Set(int number, string value) => _values[number] = value;

    public double Number(int number, double fallback) =>
        _values.TryGetValue(number, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;

    /// <summary>Parses one <c>$n=value</c> line; returns false for anything else.</summary>
    public bool TryAddLine(string line)
    {
        var text = StripComment(line);
        if (text.Length < 4 || text[0] != '$')
        {
            return false;
        }
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq < 2 || !int.TryParse(text.AsSpan(1, eq - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var value = text[(eq + 1)..].Trim();
        if (value.Length == 0)
        {
            return false;
        }
        _values[number] = value;
        return true;
    }

    /// <summary>Reads the station's settings file; every bad line is reported with its line number.</summary>
    public static GrblSettings ParseFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"GRBL settings file '{path}' does not exist; point GrblStageOptions.SettingsFile at firmware-config/grbl-settings.txt or leave it empty to skip the comparison.", path);
        }
        return Parse(File.ReadAllLines(path), path);
    }

    public static GrblSettings Parse(IEnumerable<string> lines, string source)
    {
        var settings = new GrblSettings();
        var problems = new List<string>();
        var n = 0;
        foreach (var line in lines)
        {
            n++;
            var text = StripComment(line);
            if (text.Length == 0)
            {
                continue;
            }
            if (!settings.TryAddLine(text) || !double.TryParse(settings._values.Last().Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                problems.Add($"{source}:{n}: '{line.Trim()}' is not '$<number>=<number>'");
            }
        }
        if (problems.Count > 0)
        {
            throw new FormatException("Bad GRBL settings file:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }
        return settings;
    }

    /// <summary>The settings of <paramref name="desired"/> whose value differs from (or is missing in) this controller's.</summary>
    public IReadOnlyList<KeyValuePair<int, string>> DifferencesTo(GrblSettings desired)
    {
        var diff = new List<KeyValuePair<int, string>>();
        foreach (var (number, value) in desired._values)
        {
            var current = this[number];
            if (current is null || !SameValue(current, value))
            {
                diff.Add(new(number, value));
            }
        }
        return diff;
    }

    private static bool SameValue(string a, string b) =>
        double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) &&
        double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
            ? Math.Abs(x - y) <= 1e-6 * Math.Max(1, Math.Abs(y))
            : string.Equals(a.Trim(), b.Trim(), StringComparison.Ordinal);

    private static string StripComment(string line)
    {
        var cut = line.IndexOfAny(['#', ';', '(']);
        return (cut >= 0 ? line[..cut] : line).Trim();
    }
}
