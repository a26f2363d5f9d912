using Acquisition.Core.Storage;
using Acquisition.Uplink;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Service;

/// <summary>
/// What the service endpoints need beyond the host's own services: the uplink's outbox (for legal holds and the
/// outbox views). TryAdd, so the uplink's own composition, when it lands, wins.
/// </summary>
public static class ServiceComposition
{
    public static IServiceCollection AddStationService(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new Outbox(
            sp.GetRequiredService<DataDirectory>().OutboxDatabase,
            // Routing lives in the uplink's composition; holds and views need only the queue itself.
            [.. sp.GetRequiredService<IOptions<Acquisition.Station.Configuration.UplinkOptions>>().Value.Destinations.Select(d => (d.Name, DestinationRoute.All))],
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
