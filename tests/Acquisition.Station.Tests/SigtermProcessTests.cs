namespace Acquisition.Station.Tests;

/// <summary>SIGTERM (what systemd sends) must stop the real binary cleanly and leave the hardware safe.</summary>
[Collection(StationProcessCollection.Name)]
public sealed class SigtermProcessTests
{
    [Fact]
    public async Task Sigterm_stops_within_five_seconds_with_exit_code_zero_in_the_safe_state()
    {
        // The sim profile: the real GRBL driver over a pty to the simulated controller, the real panel driver over
        // the simulated GPIO, the real PCA9685 driver over the simulated I2C device.
        using var temp = new TempDirectory();
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json")],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                // Any free port for the technician page: another station on this machine may hold 8443.
                ["ACQ_Web__Port"] = "0",
            });
        await station.WaitForLineAsync(" Ready: stage homed");

        station.Terminate();
        var exit = await station.WaitForExitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, exit);
        var output = station.StandardOutput;
        Assert.Contains("Stepper motors disabled", output); // station.sim.json: Stage:ZHoldsItself = true
        Assert.Contains("Safe state reached (service stopping): motion held, lights off, motors off.", output);
        Assert.DoesNotContain("NOT fully reached", output);
        // Kestrel removes its socket on a clean stop, so the next start finds no stale file.
        Assert.False(File.Exists(temp.Combine("data", "run", "control.sock")));
    }

    [Fact]
    public async Task Sigterm_on_the_fake_profile_keeps_motors_powered_when_Z_could_drop()
    {
        using var temp = new TempDirectory();
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json")],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                ["ACQ_Station__Hardware"] = "fake",
                ["ACQ_Stage__ZHoldsItself"] = "false",
            });
        await station.WaitForLineAsync(" Ready: ");

        station.Terminate();
        var exit = await station.WaitForExitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, exit);
        Assert.Contains("Safe state reached (service stopping): motion held, lights off, motors left powered", station.StandardOutput);
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
