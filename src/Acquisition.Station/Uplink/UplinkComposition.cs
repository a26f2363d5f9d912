using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Station.Configuration;
using Acquisition.Uplink;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StationUplinkOptions = Acquisition.Station.Configuration.UplinkOptions;
using UplinkServiceOptions = Acquisition.Uplink.UplinkOptions;

namespace Acquisition.Station.Uplink;

/// <summary>
/// Runs the uplink inside the daemon: the station's "Uplink" section (checked by the station's shape check and
/// validator) is mapped onto the uplink library's options (checked again by its own validator when the service is
/// built), the service endpoints get the very outbox the uplink drains, and every sealed complete package is queued.
/// </summary>
public static class UplinkComposition
{
    /// <summary>Name of the destination used when the configuration lists none.</summary>
    public const string DefaultDestinationName = "local";

    /// <summary>Directory, under the data directory, of the default OCI image layout destination.</summary>
    public const string DefaultLayoutDirectoryName = "oci-export";

    public static IServiceCollection AddStationUplink(this IServiceCollection services)
    {
        services.AddOptions<UplinkServiceOptions>()
            .Configure<IOptions<StationUplinkOptions>, DataDirectory>((target, station, data) => Map(station.Value, data, target));
        services.AddSingleton(sp => new UplinkService(sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<IOptions<UplinkServiceOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StationKeyStore>(), sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetService<IUplinkCheckpoints>(), fileSystem: sp.GetRequiredService<IDurableFileSystem>()));
        // IUplinkCheckpoints is registered only by tests that await a named point; production passes none.
        // Two Outbox objects on one database would each miss the other's Enqueued wake-up: one instance, the uplink's.
        services.RemoveAll<Outbox>();
        services.AddSingleton(sp => sp.GetRequiredService<UplinkService>().Outbox);
        services.AddSingleton<PackageSealedEnqueuer>();
        services.AddHostedService(sp => sp.GetRequiredService<PackageSealedEnqueuer>());
        services.AddHostedService(sp => sp.GetRequiredService<UplinkService>());
        return services;
    }

    /// <summary>
    /// Maps the station's section onto the uplink library's options, every key: a destination with a Url is a registry
    /// (its URL already passed the station's https/loopback rule, so plain http means a loopback test rig), one with a
    /// LayoutPath an OCI image layout. With none configured, packages go to an OCI image layout under the data
    /// directory, the embedded default of the demo. A setting left out keeps the uplink library's default.
    /// </summary>
    public static void Map(StationUplinkOptions station, DataDirectory data, UplinkServiceOptions target) => Map(station, data.Root, target);

    /// <inheritdoc cref="Map(StationUplinkOptions, DataDirectory, UplinkServiceOptions)"/>
    /// <summary>
    /// An empty value means "not set": the shipped station.json lists every key (it is the reference `acq config
    /// validate` checks against) with null for the optional paths, which the JSON provider reads as "".
    /// </summary>
    public static string? SetOrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    public static void Map(StationUplinkOptions station, string dataRoot, UplinkServiceOptions target)
    {
        target.Destinations.Clear();
        foreach (var d in station.Destinations)
        {
            var isRegistry = !string.IsNullOrWhiteSpace(d.Url);
            var plainHttp = isRegistry && Uri.TryCreate(d.Url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp;
            var mapped = new UplinkDestinationOptions
            {
                Name = d.Name,
                Kind = isRegistry ? UplinkDestinationKind.Registry : UplinkDestinationKind.OciLayout,
                Route = d.Route,
                RegistryUrl = isRegistry ? d.Url : null,
                LayoutPath = isRegistry ? null : SetOrNull(d.LayoutPath),
                AllowPlainHttp = plainHttp,
                CaBundlePath = SetOrNull(d.CaBundlePath),
                ClientCertificatePath = SetOrNull(d.ClientCertificatePath),
                ClientKeyPath = SetOrNull(d.ClientKeyPath),
                BasicCredentialsFile = SetOrNull(d.BasicCredentialsFile),
                BearerTokenFile = SetOrNull(d.BearerTokenFile),
            };
            if (SetOrNull(d.Repository) is { } repository)
            {
                mapped.Repository = repository;
            }
            target.Destinations.Add(mapped);
        }
        if (target.Destinations.Count == 0)
        {
            target.Destinations.Add(new UplinkDestinationOptions
            {
                Name = DefaultDestinationName,
                Kind = UplinkDestinationKind.OciLayout,
                LayoutPath = Path.Combine(dataRoot, DefaultLayoutDirectoryName),
            });
        }
        target.ChunkSizeBytes = station.ChunkSizeBytes ?? target.ChunkSizeBytes;
        target.BandwidthLimitBytesPerSecond = station.BandwidthLimitBytesPerSecond ?? target.BandwidthLimitBytesPerSecond;
        target.RequestTimeout = station.RequestTimeout ?? target.RequestTimeout;
        target.RetryInitialDelay = station.RetryInitialDelay ?? target.RetryInitialDelay;
        target.RetryMaxDelay = station.RetryMaxDelay ?? target.RetryMaxDelay;
        target.PollInterval = station.PollInterval ?? target.PollInterval;
        target.RetentionEnabled = station.RetentionEnabled ?? target.RetentionEnabled;
        target.RetentionPeriod = station.RetentionPeriod ?? target.RetentionPeriod;
        target.RequireStationSigner = station.RequireStationSigner ?? target.RequireStationSigner;
    }
}
