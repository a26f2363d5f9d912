using System.Globalization;
using Acquisition.Core.Control;

namespace Acquisition.ServiceConsole.Rendering;

/// <summary>Invariant, unit-bearing text for humans: the same on every station, whatever the locale.</summary>
internal static class Format
{
    public static string Micrometres(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " µm";

    public static string Position(StageReport s) => string.Create(CultureInfo.InvariantCulture,
        $"X={s.XMicrometres:0.###} Y={s.YMicrometres:0.###} Z={s.ZMicrometres:0.###} µm");

    public static string Utc(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Level(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>"3 d 4 h", "5 h 10 min", "42 min": precise enough to plan a recalibration.</summary>
    public static string Duration(TimeSpan span)
    {
        var s = span.Duration();
        if (s.TotalDays >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)s.TotalDays} d {s.Hours} h");
        }
        if (s.TotalHours >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)s.TotalHours} h {s.Minutes} min");
        }
        if (s.TotalMinutes >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)s.TotalMinutes} min");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{(int)s.TotalSeconds} s");
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
