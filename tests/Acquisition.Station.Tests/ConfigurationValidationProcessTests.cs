namespace Acquisition.Station.Tests;

/// <summary>The real binary, started with bad configuration, must refuse to start and say everything wrong at once.</summary>
public sealed class ConfigurationValidationProcessTests
{
    [Fact]
    public async Task Three_mistakes_give_one_error_listing_all_three_and_a_nonzero_exit()
    {
        using var temp = new TempDirectory();
        var config = temp.Combine("bad.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Station": { "StationId": "ACQ-0001", "DataDirectory": "{{temp.Combine("data")}}", "Hardware": "fake" },
              "Stage": { "SerialPort": "/dev/stage", "BaudRate": 1234 },
              "Camera": { "Width": "wide" },
              "RingLight": { "SegmentChannels": [ 0, 1, 2, 3, 4, 5, 6, 7 ], "I2cAdress": "0x40" }
            }
            """);

        using var station = StationProcess.Start(["--config", config]);
        var exit = await station.WaitForExitAsync(StationProcess.Guard);

        Assert.NotEqual(0, exit);
        var err = station.StandardError;
        Assert.Equal(1, CountOf(err, "Configuration is invalid"));
        Assert.Contains("(3 problems)", err);
        Assert.Contains("Stage:BaudRate = 1234: one of 9600, 19200", err);
        Assert.Contains("Camera:Width = 'wide': not a whole number", err);
        Assert.Contains("RingLight:I2cAdress: not a known setting; allowed in RingLight: Driver, I2cBus, I2cAddress", err);
        // Refused before the data directory (let alone hardware) was touched.
        Assert.False(Directory.Exists(temp.Combine("data")));
    }

    [Fact]
    public async Task An_environment_override_is_validated_and_named_like_a_file_value()
    {
        using var temp = new TempDirectory();
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json")],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                ["ACQ_Station__Hardware"] = "robot",
            });
        var exit = await station.WaitForExitAsync(StationProcess.Guard);

        Assert.Equal(78, exit);
        Assert.Contains("Station:Hardware = 'robot': not one of Real, Sim, Fake", station.StandardError);
    }

    [Fact]
    public async Task A_missing_config_file_is_named()
    {
        using var temp = new TempDirectory();
        var missing = temp.Combine("nowhere.json");
        using var station = StationProcess.Start(["--config", missing]);
        var exit = await station.WaitForExitAsync(StationProcess.Guard);

        Assert.NotEqual(0, exit);
        Assert.Contains(missing, station.StandardError);
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
