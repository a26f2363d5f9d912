using Acquisition.Station.Uplink;
using Microsoft.Extensions.Options;
using LibraryValidator = Acquisition.Uplink.UplinkOptionsValidator;
using UplinkServiceOptions = Acquisition.Uplink.UplinkOptions;

namespace Acquisition.Station.Configuration;

/// <summary>
/// Checks the "Uplink" section at start. The station's own rules (a registry URL or a layout directory, https or
/// loopback http, an absolute layout path) come first; then the section is mapped exactly as the host maps it and
/// the uplink library's own validator runs on the result, so whatever passes here also builds the uplink: names,
/// chunk size, timeouts, repository, certificate pairs and the privacy of every credential file are checked once,
/// by the code that uses them.
/// </summary>
public sealed class UplinkOptionsValidator : IValidateOptions<UplinkOptions>
{
    private const string S = UplinkOptions.Section;

    /// <summary>A data root for the mapping only: the default layout path under it is never checked for existence.</summary>
    private const string PlaceholderDataRoot = "/var/lib/acquisition";

    public ValidateOptionsResult Validate(string? name, UplinkOptions o)
    {
        var f = new ValidationFailures();
        for (var i = 0; i < o.Destinations.Count; i++)
        {
            var d = o.Destinations[i];
            var hasUrl = !string.IsNullOrWhiteSpace(d.Url);
            var hasLayout = !string.IsNullOrWhiteSpace(d.LayoutPath);
            if (hasUrl == hasLayout)
            {
                f.Add($"{S}:Destinations:{i}", d.Name, "give either Url (a registry) or LayoutPath (an OCI image layout directory), not " + (hasUrl ? "both." : "neither."));
                continue;
            }
            if (hasUrl && (!Uri.TryCreate(d.Url, UriKind.Absolute, out var uri)
                || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))))
            {
                f.Add($"{S}:Destinations:{i}:Url", d.Url, "an absolute https:// URL (http:// only to a loopback host, for tests).");
            }
            if (hasLayout && !Path.IsPathFullyQualified(d.LayoutPath!))
            {
                f.Add($"{S}:Destinations:{i}:LayoutPath", d.LayoutPath, "an absolute directory path, e.g. /media/usb0/acquisition-export.");
            }
            if (!hasUrl && new[] { d.Repository, d.CaBundlePath, d.ClientCertificatePath, d.ClientKeyPath, d.BasicCredentialsFile, d.BearerTokenFile }.Any(v => UplinkComposition.SetOrNull(v) is not null))
            {
                f.Add($"{S}:Destinations:{i}", d.Name, "Repository, CaBundlePath, ClientCertificatePath, ClientKeyPath, BasicCredentialsFile and BearerTokenFile apply to a registry (Url) only.");
            }
        }

        var mapped = new UplinkServiceOptions();
        UplinkComposition.Map(o, PlaceholderDataRoot, mapped);
        var library = new LibraryValidator().Validate(null, mapped);
        var failures = f.ToResult();
        var all = new List<string>();
        if (failures.Failed)
        {
            all.AddRange(failures.Failures);
        }
        if (library.Failed)
        {
            // RegistryUrl and LayoutPath were judged above by the station's stricter rules, under the station's keys.
            all.AddRange(library.Failures.Where(m => !m.Contains(": RegistryUrl ", StringComparison.Ordinal) && !m.Contains(": LayoutPath ", StringComparison.Ordinal)));
        }
        return all.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(all);
    }
}
