using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed class StageOptionsValidator : IValidateOptions<StageOptions>
{
    private const string S = StageOptions.Section;
    private static readonly int[] BaudRates = [9600, 19200, 38400, 57600, 115200, 230400, 250000];

    public ValidateOptionsResult Validate(string? name, StageOptions o)
    {
        var f = new ValidationFailures();
        if (string.IsNullOrWhiteSpace(o.SerialPort) || !o.SerialPort.StartsWith("/dev/", StringComparison.Ordinal))
        {
            f.Add($"{S}:SerialPort", o.SerialPort, "a serial device path under /dev, normally /dev/stage (from the udev rules).");
        }
        if (!BaudRates.Contains(o.BaudRate))
        {
            f.Add($"{S}:BaudRate", o.BaudRate, "one of " + string.Join(", ", BaudRates) + " (GRBL 1.1 ships at 115200).");
        }
        if (string.IsNullOrWhiteSpace(o.GrblSettingsFile))
        {
            f.Add($"{S}:GrblSettingsFile", o.GrblSettingsFile, "the path of grbl-settings.txt.");
        }
        return f.ToResult();
    }
}
