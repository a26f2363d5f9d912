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
        return f.ToResult();
    }
}
