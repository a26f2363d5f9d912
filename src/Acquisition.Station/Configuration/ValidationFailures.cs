using System.Globalization;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

/// <summary>Collects failures in one format: the key path, the bad value, and what is allowed.</summary>
public sealed class ValidationFailures
{
    private readonly List<string> _failures = [];

    public void Add(string keyPath, object? value, string allowed)
    {
        var shown = value switch
        {
            null => "(not set)",
            string s => $"'{s}'",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        _failures.Add($"{keyPath} = {shown}: {allowed}");
    }

    public ValidateOptionsResult ToResult() =>
        _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);
}
