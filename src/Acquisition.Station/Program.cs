// Composition root of the station daemon; see docs/architecture.md.
using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;

StationLaunch launch;
try
{
    launch = StationLaunch.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(StationLaunch.Usage);
    return 2;
}
if (launch.ShowHelp)
{
    Console.WriteLine(StationLaunch.Usage);
    return 0;
}

WebApplication app;
try
{
    app = StationHost.Build(launch);
}
catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException)
{
    // A missing or malformed JSON file: name it and what is wrong with it.
    Console.Error.WriteLine($"Configuration cannot be read: {ex.Message}");
    return 78;
}

await using (app)
{
    var failures = await StationHost.PrepareAsync(app, CancellationToken.None);
    if (failures.Count > 0)
    {
        Console.Error.WriteLine(ConfigurationCheck.Describe(failures, StationHost.DescribeSources(launch)));
        return 78; // EX_CONFIG: the unit's RestartPreventExitStatus keeps systemd from retrying a bad config.
    }
    try
    {
        await app.RunAsync();
    }
    catch (Exception ex)
    {
        // The host could not start (socket in use, another daemon running, a device missing): say why, exit 1
        // so that systemd's Restart=on-failure tries again.
        Console.Error.WriteLine($"Station could not start: {ex.GetType().Name}: {ex.Message}");
        Console.Error.WriteLine(ex);
        return 1;
    }
}
return Environment.ExitCode;
