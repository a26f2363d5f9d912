using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Station.Hardware;
using Acquisition.Station.Hosting;
using Acquisition.Uplink;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Calibration.Procedures;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Service;

/// <summary>
/// What the service endpoints need beyond the host's own services: the uplink's outbox (for legal holds and the
/// outbox views; TryAdd, so the uplink's own composition wins), and the calibration procedures over the station's
/// devices.
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
        services.AddSingleton<ServiceOperationGate>();
        // Procedures drive the station's own devices on the devices' clock (the simulator's in the sim profile).
        services.AddSingleton(sp => new CalibrationDevices(sp.GetRequiredService<IStage>(),
            sp.GetService<ICamera>() ?? throw new InvalidOperationException("No camera is composed in this hardware profile; calibrations cannot run."),
            sp.GetRequiredService<IRingLight>(), sp.GetRequiredService<DeviceClock>().Time));
        services.AddSingleton(sp => new CalibrationRunner(sp.GetRequiredService<CalibrationDevices>(), sp.GetRequiredService<CalibrationStore>(),
            sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<DurableFileWriter>(), sp.GetRequiredService<StationInfo>().SoftwareVersion));
        services.AddSingleton(sp =>
        {
            var options = new ReferenceVerificationOptions();
            sp.GetRequiredService<IConfiguration>().GetSection("Station:Calibration:Reference").Bind(options);
            return new ReferenceVerification(sp.GetRequiredService<CalibrationDevices>(), sp.GetRequiredService<CalibrationStore>(),
                sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<DurableFileWriter>(), options, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }
}
