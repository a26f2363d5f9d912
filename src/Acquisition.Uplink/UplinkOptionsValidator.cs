using Microsoft.Extensions.Options;

namespace Acquisition.Uplink;

/// <summary>Checks the uplink configuration at start and names every problem with what to do about it.</summary>
public sealed class UplinkOptionsValidator : IValidateOptions<UplinkOptions>
{
    public ValidateOptionsResult Validate(string? name, UplinkOptions options)
    {
        var errors = new List<string>();
        if (options.Destinations.Count == 0)
        {
            errors.Add("Uplink:Destinations is empty: configure at least one (an OciLayout directory is the default).");
        }
        if (options.ChunkSizeBytes is < 64 * 1024 or > 512 * 1024 * 1024)
        {
            errors.Add($"Uplink:ChunkSizeBytes {options.ChunkSizeBytes} is outside 65536..536870912.");
        }
        if (options.BandwidthLimitBytesPerSecond is <= 0)
        {
            errors.Add("Uplink:BandwidthLimitBytesPerSecond must be positive, or absent for no limit.");
        }
        if (options.RequestTimeout <= TimeSpan.Zero || options.RetryInitialDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryInitialDelay || options.PollInterval <= TimeSpan.Zero)
        {
            errors.Add("Uplink:RequestTimeout, RetryInitialDelay and PollInterval must be positive, and RetryMaxDelay at least RetryInitialDelay.");
        }
        if (options.RetentionPeriod < TimeSpan.Zero)
        {
            errors.Add("Uplink:RetentionPeriod must not be negative.");
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Destinations.Count; i++)
        {
            var d = options.Destinations[i];
            // The configuration key of the destination, so a message points at the line to fix.
            var label = $"Uplink:Destinations:{i} ('{d.Name}')";
            if (!IsValidName(d.Name))
            {
                errors.Add($"{label}: Name must be non-empty and only letters, digits, '-', '_' or '.' (no spaces): it names the destination in the outbox, the audit log and the console.");
            }
            else if (!names.Add(d.Name))
            {
                errors.Add($"{label}: the name is used twice (names are compared ignoring case); the outbox keeps state per name.");
            }
            if (d.Kind == UplinkDestinationKind.OciLayout)
            {
                if (string.IsNullOrWhiteSpace(d.LayoutPath))
                {
                    errors.Add($"{label}: LayoutPath is required for an OciLayout destination.");
                }
                continue;
            }
            if (!Uri.TryCreate(d.RegistryUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"{label}: RegistryUrl '{d.RegistryUrl}' is not an http(s) URL.");
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && !d.AllowPlainHttp)
            {
                errors.Add($"{label}: RegistryUrl uses plain http; use https, or set AllowPlainHttp for a loopback test rig.");
            }
            if (string.IsNullOrWhiteSpace(d.Repository) || d.Repository.Any(c => char.IsUpper(c) || char.IsWhiteSpace(c)))
            {
                errors.Add($"{label}: Repository '{d.Repository}' must be a lowercase OCI repository name.");
            }
            if ((d.ClientCertificatePath is null) != (d.ClientKeyPath is null))
            {
                errors.Add($"{label}: ClientCertificatePath and ClientKeyPath go together.");
            }
            if (d.BasicCredentialsFile is not null && d.BearerTokenFile is not null)
            {
                errors.Add($"{label}: give BasicCredentialsFile or BearerTokenFile, not both.");
            }
            foreach (var (path, what) in new[] { (d.ClientKeyPath, "client key"), (d.BasicCredentialsFile, "basic credentials"), (d.BearerTokenFile, "bearer token") })
            {
                if (path is null)
                {
                    continue;
                }
                try
                {
                    CredentialFiles.ThrowIfNotPrivate(path, what);
                }
                catch (InvalidOperationException ex)
                {
                    errors.Add($"{label}: {ex.Message}");
                }
            }
            foreach (var (path, what) in new[] { (d.CaBundlePath, "CA bundle"), (d.ClientCertificatePath, "client certificate") })
            {
                if (path is not null && !File.Exists(path))
                {
                    errors.Add($"{label}: the {what} file '{path}' does not exist.");
                }
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The destination name rule: non-empty ASCII letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(UplinkOptions options)
    {
        var result = new UplinkOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(UplinkOptions.SectionName, typeof(UplinkOptions), result.Failures);
        }
    }
}
