using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Station.Hardware;
using Acquisition.Station.Hosting;
using Acquisition.Uplink;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Calibration.Procedures;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Recipes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Service;

/// <summary>
/// What the service endpoints need beyond the host's own services: the uplink's outbox (for legal holds and the
/// outbox views; TryAdd, so the uplink's own composition wins), the calibration procedures over the station's
/// devices, and the corrections of sealed captures.
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
        services.AddSingleton(sp => new CaptureCorrections(sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<DurableFileWriter>(),
            sp.GetRequiredService<AuditLog>(), sp.GetRequiredService<CalibreTable>(), sp.GetRequiredService<StationKeyStore>(),
            sp.GetRequiredService<IOptions<Acquisition.Station.Configuration.StationOptions>>().Value.StationId, sp.GetRequiredService<TimeProvider>()));
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
