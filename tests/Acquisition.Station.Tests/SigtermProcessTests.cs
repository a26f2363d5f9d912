namespace Acquisition.Station.Tests;

/// <summary>SIGTERM (what systemd sends) must stop the real binary cleanly and leave the hardware safe.</summary>
public sealed class SigtermProcessTests
{
    [Fact]
    public async Task Sigterm_stops_within_five_seconds_with_exit_code_zero_in_the_safe_state()
    {
        using var temp = new TempDirectory();
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json")],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                ["ACQ_Station__Hardware"] = "fake",
            });
        await station.WaitForLineAsync(" Ready: ");

        station.Terminate();
        var exit = await station.WaitForExitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, exit);
        Assert.Contains("Safe state reached (service stopping): motion held, lights off, motors off.", station.StandardOutput);
        Assert.DoesNotContain("NOT fully reached", station.StandardOutput);
        // Kestrel removes its socket on a clean stop, so the next start finds no stale file.
        Assert.False(File.Exists(temp.Combine("data", "run", "control.sock")));
    }

    [Fact]
    public async Task Once_mode_starts_homes_reports_ready_and_exits_cleanly()
    {
        using var temp = new TempDirectory();
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json"), "--once"],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                ["ACQ_Station__Hardware"] = "fake",
            });
        var exit = await station.WaitForExitAsync(StationProcess.Guard);

        Assert.Equal(0, exit);
        var output = station.StandardOutput;
        Assert.Contains("Station SIM-0001 Ready: stage homed", output);
        Assert.True(output.IndexOf("Ready: stage homed", StringComparison.Ordinal) < output.IndexOf("Safe state reached", StringComparison.Ordinal));
    }
}
