using System.Globalization;
using System.Text;

namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// GRBL 1.1's $-settings, with its value formats (integers for masks and booleans, 3 decimals otherwise) and
/// optional persistence to a text file of <c>$n=v</c> lines (GRBL keeps them in EEPROM).
/// </summary>
public sealed class GrblSettings
{
    private static readonly int[] IntegerSettings = [0, 1, 2, 3, 4, 5, 6, 10, 13, 20, 21, 22, 23, 26, 30, 31, 32];

    private readonly SortedDictionary<int, double> _values;
    private readonly string? _path;

    public GrblSettings(IReadOnlyDictionary<int, double>? overrides = null, string? path = null)
    {
        _values = new SortedDictionary<int, double>(StationDefaults().ToDictionary());
        foreach (var (k, v) in overrides ?? new Dictionary<int, double>())
        {
            RequireKnown(k);
            _values[k] = v;
        }
        _path = path;
        if (_path is not null && File.Exists(_path))
        {
            Load(_path);
        }
    }

    /// <summary>
    /// GRBL 1.1h's generic defaults, changed where the bench needs it: homing, hard and soft limits on, and a
    /// microscope stage's steps/mm, rates, accelerations and travel.
    /// </summary>
    public static IReadOnlyDictionary<int, double> StationDefaults() => new Dictionary<int, double>
    {
        [0] = 10, [1] = 25, [2] = 0, [3] = 0, [4] = 0, [5] = 0, [6] = 0,
        [10] = 1, [11] = 0.010, [12] = 0.002, [13] = 0,
        [20] = 1, [21] = 1, [22] = 1, [23] = 0, [24] = 25, [25] = 500, [26] = 250, [27] = 1,
        [30] = 1000, [31] = 0, [32] = 0,
        [100] = 800, [101] = 800, [102] = 3200,
        [110] = 600, [111] = 600, [112] = 300,
        [120] = 50, [121] = 50, [122] = 25,
        [130] = 50, [131] = 50, [132] = 20,
    };

    public static bool IsKnown(int number) => StationDefaults().ContainsKey(number);

    public double this[int number] => _values[number];

    public double StepsPerMm(int axis) => _values[100 + axis];

    public double MaxRateMmPerMin(int axis) => _values[110 + axis];

    public double AccelerationMmPerS2(int axis) => _values[120 + axis];

    public double MaxTravelMm(int axis) => _values[130 + axis];

    public bool SoftLimits => _values[20] != 0;

    public bool HardLimits => _values[21] != 0;

    public bool HomingEnabled => _values[22] != 0;

    public bool HomingDirectionNegative(int axis) => (((int)_values[23] >> axis) & 1) != 0;

    public double HomingFeedMmPerMin => _values[24];

    public double HomingSeekMmPerMin => _values[25];

    public double HomingPullOffMm => _values[27];

    public int StatusReportMask => (int)_values[10];

    public IEnumerable<int> Numbers => _values.Keys;

    /// <summary>Formats a setting as <c>$$</c> prints it.</summary>
    public string Format(int number) => Array.IndexOf(IntegerSettings, number) >= 0
        ? string.Create(CultureInfo.InvariantCulture, $"${number}={(long)_values[number]}")
        : string.Create(CultureInfo.InvariantCulture, $"${number}={_values[number]:0.000}");

    /// <summary>Validates and stores a value; returns GRBL's status code (0 = ok).</summary>
    public int TrySet(int number, double value)
    {
        if (!IsKnown(number))
        {
            return GrblCodes.InvalidStatement;
        }
        if (value < 0)
        {
            return GrblCodes.NegativeValue;
        }
        if (number == 0 && value < 3)
        {
            return GrblCodes.SettingStepPulseMin;
        }
        if (Array.IndexOf(IntegerSettings, number) >= 0 && value != Math.Floor(value))
        {
            // GRBL truncates integer settings silently.
            value = Math.Floor(value);
        }
        if (number == 20 && value != 0 && !HomingEnabled)
        {
            return GrblCodes.SoftLimitError;
        }
        _values[number] = value;
        Save();
        return GrblCodes.Ok;
    }

    public void RestoreDefaults()
    {
        foreach (var (k, v) in StationDefaults())
        {
            _values[k] = v;
        }
        Save();
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }
        var text = new StringBuilder();
        foreach (var n in _values.Keys)
        {
            text.Append(Format(n)).Append('\n');
        }
        var temp = _path + ".tmp";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, _path, overwrite: true);
    }

    private void Load(string path)
    {
        var lineNumber = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var eq = line.IndexOf('=');
            if (!line.StartsWith('$') || eq < 2
                || !int.TryParse(line.AsSpan(1, eq - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || !double.TryParse(line.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                || !IsKnown(n))
            {
                throw new InvalidDataException(
                    $"GRBL settings file {path} line {lineNumber}: '{raw}' is not a known '$n=value' setting. Fix or delete the file.");
            }
            _values[n] = v;
        }
    }

    private static void RequireKnown(int number)
    {
        if (!IsKnown(number))
        {
            throw new ArgumentException($"GRBL setting ${number} does not exist in GRBL 1.1h.", nameof(number));
        }
    }
}
