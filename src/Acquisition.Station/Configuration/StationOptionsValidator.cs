using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed partial class StationOptionsValidator : IValidateOptions<StationOptions>
{
    private const string S = StationOptions.Section;

    public ValidateOptionsResult Validate(string? name, StationOptions o)
    {
        var f = new ValidationFailures();
        if (string.IsNullOrWhiteSpace(o.StationId) || !StationIdPattern().IsMatch(o.StationId))
        {
            f.Add($"{S}:StationId", o.StationId, "1–32 characters of letters, digits, '-' or '_' (it names every package).");
        }
        if (!IsTimeZone(o.TimeZone))
        {
            f.Add($"{S}:TimeZone", o.TimeZone, "an IANA time zone known to this system, e.g. Europe/Berlin or Etc/UTC.");
        }
        if (string.IsNullOrWhiteSpace(o.DataDirectory) || !Path.IsPathFullyQualified(o.DataDirectory))
        {
            f.Add($"{S}:DataDirectory", o.DataDirectory, "an absolute path on the filesystem that holds the evidence.");
        }
        if (!Enum.IsDefined(o.Hardware))
        {
            f.Add($"{S}:Hardware", o.Hardware.ToString(), "one of " + string.Join(", ", Enum.GetNames<HardwareProfile>()) + ".");
        }
        var pins = o.Pins.AllPins();
        foreach (var (pin, number) in pins)
        {
            if (number is < 0 or > 63)
            {
                f.Add($"{S}:Pins:{pin}", number, "a BCM GPIO number 0–63.");
            }
        }
        // An absent casing sensor's pin number is unused, so it may coincide with another.
        var used = pins.Where(p => o.Pins.HasCasingSensor || p.Key != nameof(o.Pins.CasingPresent));
        foreach (var clash in used.GroupBy(p => p.Value).Where(g => g.Count() > 1))
        {
            var names = string.Join(", ", clash.Select(p => $"{S}:Pins:{p.Key}"));
            f.Add(names, clash.Key, "each panel signal needs its own GPIO pin.");
        }
        return f.ToResult();
    }

    private static bool IsTimeZone(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex StationIdPattern();
}
