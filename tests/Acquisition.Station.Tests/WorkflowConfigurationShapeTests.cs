using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;

namespace Acquisition.Station.Tests;

/// <summary>
/// Station:Calibration and Station:Capture:Motion are bound by the capture composition, not through StationOptions:
/// the shape check must know their keys, so a typo under them is reported and a correct key is not.
/// </summary>
public sealed class WorkflowConfigurationShapeTests
{
    private static readonly (string, string?)[] Valid =
    [
        ("Station:StationId", "ACQ-1"),
        ("Station:DataDirectory", "/var/lib/acquisition-station"),
        ("Station:Hardware", "Fake"),
        ("RingLight:SegmentChannels:0", "0"),
        ("RingLight:SegmentChannels:1", "1"),
    ];

    private static IReadOnlyList<string> Check(params (string Key, string? Value)[] values)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddStationConfiguration(config, null);
        using var provider = services.BuildServiceProvider();
        return ConfigurationCheck.Run(provider);
    }

    [Fact]
    public void Correct_calibration_and_motion_settings_pass()
    {
        Assert.Empty(Check([.. Valid,
            ("Station:Calibration:Validity:FlatField", "14.00:00:00"),
            ("Station:Calibration:Validity:PixelSize", "180.00:00:00"),
            ("Station:Capture:Motion:Z:MaxRateMillimetresPerMinute", "150"),
            ("Station:Capture:Motion:X:AccelerationMillimetresPerSecondSquared", "12.5"),
            ("Station:Capture:Motion:Settle", "00:00:00.030"),
            ("Station:Capture:AllowUnsynchronisedClock", "true")]));
    }

    [Fact]
    public void The_firmware_config_directory_the_capture_composition_reads_is_accepted_and_a_misspelling_is_named()
    {
        Assert.Empty(Check([.. Valid, ("Station:Capture:FirmwareConfigDirectory", "/etc/acquisition-station/firmware-config")]));

        var failures = Check([.. Valid, ("Station:Capture:FirmwareConfigDirectroy", "/etc/acquisition-station/firmware-config")]);

        var failure = Assert.Single(failures);
        Assert.StartsWith("Station:Capture:FirmwareConfigDirectroy: not a known setting; allowed in Station:Capture: ", failure, StringComparison.Ordinal);
        Assert.Contains("FirmwareConfigDirectory", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_typo_under_station_calibration_is_reported_with_the_allowed_names()
    {
        var failures = Check([.. Valid,
            ("Station:Calibration:Validty:FlatField", "14.00:00:00"),
            ("Station:Calibration:Validity:FlatFeild", "14.00:00:00"),
            ("Station:Calibration:Validity:ZScale", "six months")]);

        Assert.Equal(3, failures.Count);
        Assert.Contains("Station:Calibration:Validty: not a known setting; allowed in Station:Calibration: Validity, WarnBefore, Reference.", failures);
        Assert.Contains(failures, f => f.StartsWith("Station:Calibration:Validity:FlatFeild: 'FlatFeild' is not one of PixelSize, FlatField", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Station:Calibration:Validity:ZScale = 'six months': not a duration", StringComparison.Ordinal));
    }

    [Fact]
    public void A_typo_under_station_capture_motion_is_reported_with_the_allowed_names()
    {
        var failures = Check([.. Valid,
            ("Station:Capture:Motion:Setle", "00:00:00.030"),
            ("Station:Capture:Motion:Z:MaxRate", "150")]);

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Station:Capture:Motion:Setle: not a known setting; allowed in Station:Capture:Motion: X, Y, Z, Settle, ZLeadIn", StringComparison.Ordinal));
        Assert.Contains("Station:Capture:Motion:Z:MaxRate: not a known setting; allowed in Station:Capture:Motion:Z: MaxRateMillimetresPerMinute, AccelerationMillimetresPerSecondSquared.", failures);
    }

    [Fact]
    public void Station_capture_still_lists_motion_among_its_settings()
    {
        var failure = Assert.Single(Check([.. Valid, ("Station:Capture:Motoin:Settle", "00:00:00.030")]));
        Assert.StartsWith("Station:Capture:Motoin: not a known setting; allowed in Station:Capture:", failure, StringComparison.Ordinal);
        Assert.EndsWith(", Motion.", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_station_refuses_to_start_with_exit_78_on_a_typo_under_either_section()
    {
        using var temp = new TempDirectory();
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json")],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                ["ACQ_Station__Calibration__Validity__FlatFeild"] = "14.00:00:00",
                ["ACQ_Station__Capture__Motion__Setle"] = "00:00:00.030",
            });
        var exit = await station.WaitForExitAsync(StationProcess.Guard);

        Assert.Equal(78, exit);
        Assert.Contains("Station:Calibration:Validity:FlatFeild: 'FlatFeild' is not one of", station.StandardError);
        Assert.Contains("Station:Capture:Motion:Setle: not a known setting", station.StandardError);
        Assert.False(Directory.Exists(temp.Combine("data")));
    }
}
