using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatorOptions o)
    {
        var f = new ValidationFailures();
        if (!Enum.IsDefined(o.Clock))
        {
            f.Add($"{SimulatorOptions.Section}:Clock", o.Clock.ToString(), "one of " + string.Join(", ", Enum.GetNames<SimulatorClock>()) + ".");
        }
        if (o.Camera.Width < 64 || o.Camera.Height < 64)
        {
            f.Add($"{SimulatorOptions.Section}:Camera:Width/Height", $"{o.Camera.Width}×{o.Camera.Height}", "at least 64×64 pixels.");
        }
        if (!(o.Camera.PixelSizeMicrometres > 0))
        {
            f.Add($"{SimulatorOptions.Section}:Camera:PixelSizeMicrometres", o.Camera.PixelSizeMicrometres.ToString(System.Globalization.CultureInfo.InvariantCulture), "a positive number of µm.");
        }
        return f.ToResult();
    }
}
