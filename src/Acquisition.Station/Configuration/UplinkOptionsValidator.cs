using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed class UplinkOptionsValidator : IValidateOptions<UplinkOptions>
{
    private const string S = UplinkOptions.Section;

    public ValidateOptionsResult Validate(string? name, UplinkOptions o)
    {
        var f = new ValidationFailures();
        for (var i = 0; i < o.Destinations.Count; i++)
        {
            var d = o.Destinations[i];
            if (string.IsNullOrWhiteSpace(d.Name))
            {
                f.Add($"{S}:Destinations:{i}:Name", d.Name, "a short name for this server (it appears in the outbox and the audit log).");
            }
            if (!Uri.TryCreate(d.Url, UriKind.Absolute, out var uri)
                || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            {
                f.Add($"{S}:Destinations:{i}:Url", d.Url, "an absolute https:// URL (http:// only to a loopback host, for tests).");
            }
        }
        foreach (var dup in o.Destinations.Where(d => !string.IsNullOrWhiteSpace(d.Name))
                     .GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            f.Add($"{S}:Destinations:*:Name", dup.Key, "destination names must be unique.");
        }
        return f.ToResult();
    }
}
