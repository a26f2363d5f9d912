using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Station.Configuration;
using Acquisition.Station.Hardware;
using Acquisition.Station.Hosting;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Processing;
using Acquisition.Workflow.Recipes;
using Acquisition.Workflow.Timing;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Capture;

/// <summary>
/// Registers the acquisition workflow: recipes and calibres (firmware-config next to the configuration file, or
/// Station:Capture:FirmwareConfigDirectory), the case and calibration stores, the station key, the capture sequence
/// and the capture button. Everything is created lazily, so a station without a camera still serves /case.
/// </summary>
public static class CaptureComposition
{
    public static IServiceCollection AddStationCapture(this IServiceCollection services, IConfiguration configuration, StationLaunch launch)
    {
        var capture = configuration.GetSection("Station:Capture");
        services.AddSingleton(sp =>
        {
            var dir = capture["FirmwareConfigDirectory"];
            if (string.IsNullOrWhiteSpace(dir))
            {
                var file = launch.EffectiveConfigFile;
                dir = file is null ? "firmware-config" : Path.GetDirectoryName(Path.GetFullPath(file))!;
            }
            return RecipeLoader.LoadDirectory(dir);
        });
        services.AddSingleton(sp =>
        {
            var o = new CaptureOptions();
            capture.Bind(o);
            var station = sp.GetRequiredService<IOptions<StationOptions>>().Value;
            o.StationId = station.StationId;
            if (string.IsNullOrWhiteSpace(o.TimeZone))
            {
                o.TimeZone = station.TimeZone;
            }
            o.Validate();
            return o;
        });
        services.AddSingleton(sp =>
        {
            var o = new CalibrationOptions();
            configuration.GetSection("Station:Calibration").Bind(o);
            o.Validate();
            return o;
        });
        services.AddSingleton(sp =>
        {
            var o = new CaseContextOptions();
            configuration.GetSection("Station:Case").Bind(o);
            return o;
        });
        services.AddSingleton(sp =>
        {
            var o = new MotionProfile();
            configuration.GetSection("Station:Capture:Motion").Bind(o);
            o.Validate();
            return o;
        });
        services.AddSingleton(sp => new CalibrationStore(sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<DurableFileWriter>(),
            sp.GetRequiredService<AuditLog>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CalibrationOptions>()));
        services.AddSingleton(sp => new CaseContextStore(sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<DurableFileWriter>(),
            sp.GetRequiredService<AuditLog>(), sp.GetRequiredService<CalibreTable>(), sp.GetRequiredService<CaseContextOptions>()));
        services.AddSingleton(sp => new StationKeyStore(sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var camera = sp.GetService<ICamera>()
                ?? throw new InvalidOperationException("No camera is composed in this build (Station:Hardware); captures cannot run.");
            var options = sp.GetRequiredService<CaptureOptions>();
            var data = sp.GetRequiredService<DataDirectory>();
            // Devices (and so waits, frame freshness and the timing report) run on the device clock, the simulator's
            // in the sim profile; everything recorded (package, X3P, manifest, audit) is on the station's clock.
            var time = sp.GetRequiredService<DeviceClock>().Time;
            var stationClock = sp.GetRequiredService<TimeProvider>();
            var calibrations = sp.GetRequiredService<CalibrationStore>();
            return new CaptureSequence(
                new CaptureDevices(sp.GetRequiredService<IStage>(), sp.GetRequiredService<IRingLight>(), camera, sp.GetRequiredService<IOperatorPanel>()),
                new CaptureProcessing(sp.GetService<IStackAccumulatorFactory>() ?? new ImagingStackAccumulatorFactory(),
                    new LaplacianVarianceFocusMeasure(0.9), new HoughPrimerDetector()),
                sp.GetRequiredService<CalibreTable>(), calibrations, sp.GetRequiredService<AuditLog>(), data,
                new EvidencePackageWriterFactory(data, sp.GetRequiredService<DurableFileWriter>(), sp.GetRequiredService<StationKeyStore>(), stationClock,
                    new EvidencePackageSettings(options.StationId)),
                new KernelClockSyncProbe(), new DriveDiskSpaceProbe(), time, options, sp.GetRequiredService<MotionProfile>(),
                sp.GetRequiredService<StationStateMachine>(), sp.GetRequiredService<ILogger<CaptureSequence>>(), stationClock);
        });
        services.AddHostedService<CaptureStopService>();
        services.AddHostedService<CaptureButtonService>();
        services.AddHostedService<DemoCaptureService>();
        return services;
    }
}
