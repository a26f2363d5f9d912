using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed class StageOptionsValidator(IOptions<StationOptions> station) : IValidateOptions<StageOptions>
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
        // The stage driver reads the file when it is created; the fake stage has no controller to configure.
        var needsFile = StationOrNull()?.Hardware is HardwareProfile.Real or HardwareProfile.Sim;
        if (needsFile && (string.IsNullOrWhiteSpace(o.GrblSettingsFile) || !File.Exists(o.GrblSettingsFile)))
        {
            f.Add($"{S}:GrblSettingsFile", o.GrblSettingsFile,
                "an existing file with the controller's $ settings (firmware-config/grbl-settings.txt); a relative path is taken from the configuration file's folder.");
        }
        return f.ToResult();
    }

    // The Station section reports its own failures; this check only needs it when it is sound.
    private StationOptions? StationOrNull()
    {
        try
        {
            return station.Value;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            return null;
        }
    }
}
