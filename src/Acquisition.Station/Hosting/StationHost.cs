using Acquisition.Station.Capture;
using Acquisition.Station.Service;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;
using Acquisition.Station.ControlApi;
using Acquisition.Station.Hardware;
using Acquisition.Station.Storage;
using Acquisition.Station.Uplink;
using Acquisition.Station.Web;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Hosting;

/// <summary>The composition root: configuration sources, options, storage services, hardware, worker and control API.</summary>
public static class StationHost
{
    public const string EnvironmentPrefix = "ACQ_";

    /// <summary>Host shutdown budget: the safe state must be reached and the process gone within 5 s of SIGTERM.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(4);

    public static WebApplication Build(StationLaunch launch, Action<IServiceCollection>? overrideServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Exactly these sources, in this order: the file, then ACQ_ environment variables, then --Key=value.
        var configFile = launch.EffectiveConfigFile;
        builder.Configuration.Sources.Clear();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"Configuration file '{configFile}' (given with --config) does not exist.", configFile);
            }
            builder.Configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
        }
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine([.. launch.ConfigurationArguments]);

        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        var services = builder.Services;
        // Under systemd: Type=notify readiness, journald-formatted console lines, SIGTERM handling.
        services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && IsSystemdUnitByEnvironment())
        {
            // .NET recognises systemd only as the direct parent process. A unit whose ExecStart goes through a
            // wrapper (or a test standing in for systemd) still has systemd's INVOCATION_ID and NOTIFY_SOCKET, and
            // must still notify: register what AddSystemd registers.
            services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = ConsoleFormatterNames.Systemd);
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        services.AddSingleton(launch);
        services.AddSingleton(TimeProvider.System);

        var config = builder.Configuration;
        services.AddStationConfiguration(config, configFile);

        services.AddSingleton(sp => new DataDirectory(sp.GetRequiredService<IOptions<StationOptions>>().Value.DataDirectory));
        services.AddSingleton<IDurableFileSystem, PosixDurableFileSystem>();
        services.AddSingleton(sp => new DurableFileWriter(sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<IDurableFileSystem>()));
        services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IDurableFileSystem>()));
        services.AddSingleton<StationDataSetup>();

        services.AddSingleton<StationStateMachine>();
        services.AddSingleton<StationInfo>();
        services.AddSingleton<StationHealth>();
        services.AddStationHardware(config);
        services.AddSingleton<SafeStateGuard>();
        services.AddHostedService<StateTransitionLogger>();
        services.AddHostedService<StationWorker>();
        services.AddHostedService<SystemdWatchdog>();

        services.AddSingleton<ControlSocketSetup>();
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>(sp =>
            sp.GetRequiredService<ControlSocketSetup>());
        services.AddHostedService<ControlSocketPermissions>();

        services.AddStationCapture(config, launch);
        services.AddStationService();
        services.AddStationUplink();
        services.AddTechnicianPage(config);

        overrideServices?.Invoke(services);

        var app = builder.Build();
        app.MapTechnicianPage();
        app.MapControlApi();
        app.MapCaptureApi();
        app.MapServiceApi();
        return app;
    }

    /// <summary>Every configuration section the station reads, bound, validated at start and known to the checks.</summary>
    public static IServiceCollection AddStationConfiguration(this IServiceCollection services, IConfiguration config, string? configFile)
    {
        services.AddStationOptions<StationOptions, StationOptionsValidator>(config, StationOptions.Section);
        services.AddStationOptions<StageOptions, StageOptionsValidator>(config, StageOptions.Section);
        // A relative settings file sits beside the configuration that names it (firmware-config/ in a checkout).
        var configDirectory = configFile is null ? AppContext.BaseDirectory : Path.GetDirectoryName(configFile)!;
        services.PostConfigure<StageOptions>(o =>
        {
            if (!string.IsNullOrWhiteSpace(o.GrblSettingsFile) && !Path.IsPathFullyQualified(o.GrblSettingsFile))
            {
                    o.GrblSettingsFile = Path.GetFullPath(o.GrblSettingsFile, configDirectory);
            }
        });
        services.AddStationOptions<CameraOptions, CameraOptionsValidator>(config, CameraOptions.Section);
        services.AddStationOptions<RingLightOptions, RingLightOptionsValidator>(config, RingLightOptions.Section);
        services.AddStationOptions<ControlApiOptions, ControlApiOptionsValidator>(config, ControlApiOptions.Section);
        services.AddStationOptions<UplinkOptions, UplinkOptionsValidator>(config, UplinkOptions.Section);
        services.AddStationOptions<SimulatorOptions, SimulatorOptionsValidator>(config, SimulatorOptions.Section);
        return services;
    }

    private static bool IsSystemdUnitByEnvironment() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("INVOCATION_ID"))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    /// <summary>Where the configuration came from, for error messages and the start-up log.</summary>
    public static IReadOnlyList<string> DescribeSources(StationLaunch launch) =>
    [
        launch.EffectiveConfigFile ?? $"no file (neither --config nor {StationLaunch.DefaultConfigFile})",
        $"environment {EnvironmentPrefix}*",
        launch.ConfigurationArguments.Count == 0 ? "no command-line overrides" : "command-line overrides",
    ];

    /// <summary>
    /// Everything that must succeed before the host starts and any device is opened: validation (all failures at
    /// once) and the data directory. Returns the failures; empty means go.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        _ = app.Services.GetRequiredService<StationInfo>(); // uptime counts from here
        var failures = ConfigurationCheck.Run(app.Services);
        if (failures.Count > 0)
        {
            return failures;
        }
        await app.Services.GetRequiredService<StationDataSetup>().RunAsync(cancellationToken).ConfigureAwait(false);
        return [];
    }
}
