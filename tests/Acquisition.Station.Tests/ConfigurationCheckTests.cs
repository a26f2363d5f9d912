using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;
using Acquisition.Station.Web;

namespace Acquisition.Station.Tests;

/// <summary>The shape check and the validators, on in-memory configuration.</summary>
public sealed class ConfigurationCheckTests
{
    private static IReadOnlyList<string> Check(params (string Key, string? Value)[] values) => CheckWith(null, values);

    private static IReadOnlyList<string> CheckWith(string? configFile, params (string Key, string? Value)[] values) => CheckWith(configFile, false, values);

    private static IReadOnlyList<string> CheckWith(string? configFile, bool withWebSection, params (string Key, string? Value)[] values)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddStationConfiguration(config, configFile);
        if (withWebSection)
        {
            // The daemon registers the technician page's Web section too (AddTechnicianPage); the shipped
            // station.json lists its live-view keys.
            services.AddStationOptions<WebOptions, WebOptionsValidator>(config, WebOptions.Section);
        }
        using var provider = services.BuildServiceProvider();
        return ConfigurationCheck.Run(provider);
    }

    private static readonly (string, string?)[] Valid =
    [
        ("Station:StationId", "ACQ-1"),
        ("Station:DataDirectory", "/var/lib/acquisition-station"),
        ("Station:Hardware", "Fake"),
        ("RingLight:SegmentChannels:0", "0"),
        ("RingLight:SegmentChannels:1", "1"),
    ];

    [Fact]
    public void A_sound_configuration_passes()
    {
        Assert.Empty(Check(Valid));
    }

    [Fact]
    public void Hex_I2C_addresses_are_accepted_as_the_binder_accepts_them()
    {
        Assert.Empty(Check([.. Valid, ("RingLight:I2cAddress", "0x41")]));
    }

    [Fact]
    public void An_enum_given_as_a_number_is_refused_with_the_names_allowed()
    {
        var failures = Check([.. Valid.Where(v => v.Item1 != "Station:Hardware"), ("Station:Hardware", "7")]);
        Assert.Equal(["Station:Hardware = '7': not one of Real, Sim, Fake."], failures);
    }

    [Fact]
    public void An_unknown_section_is_named_with_the_known_ones()
    {
        var failure = Assert.Single(Check([.. Valid, ("Stgae:BaudRate", "115200")]));
        Assert.Equal("Stgae: not a known section; allowed sections: Station, Stage, Camera, RingLight, ControlApi, Uplink, Simulator, Logging.", failure);
    }

    [Fact]
    public void Two_panel_signals_on_one_pin_are_refused_naming_both()
    {
        var failure = Assert.Single(Check([.. Valid, ("Station:Pins:LedBusy", "17")]));
        Assert.Equal("Station:Pins:CaptureButton, Station:Pins:LedBusy = 17: each panel signal needs its own GPIO pin.", failure);
    }

    [Fact]
    public void Plain_http_uplink_is_refused_except_to_loopback()
    {
        var failures = Check([.. Valid,
            ("Uplink:Destinations:0:Name", "central"), ("Uplink:Destinations:0:Url", "http://evidence.example.org/"),
            ("Uplink:Destinations:1:Name", "test"), ("Uplink:Destinations:1:Url", "http://127.0.0.1:5000/")]);
        var failure = Assert.Single(failures);
        Assert.StartsWith("Uplink:Destinations:0:Url = 'http://evidence.example.org/': an absolute https:// URL", failure);
    }

    [Fact]
    public void A_socket_path_beyond_the_kernel_limit_is_refused_before_bind()
    {
        var longDir = "/var/lib/" + new string('d', 100);
        var failures = Check([.. Valid.Where(v => v.Item1 != "Station:DataDirectory"), ("Station:DataDirectory", longDir)]);
        var failure = Assert.Single(failures);
        Assert.StartsWith("ControlApi:SocketPath (from Station:DataDirectory) = '" + longDir + "/run/control.sock'", failure);
    }

    [Fact]
    public void A_missing_socket_group_is_refused()
    {
        var failure = Assert.Single(Check([.. Valid, ("ControlApi:SocketGroup", "no-such-group-acq")]));
        Assert.StartsWith("ControlApi:SocketGroup = 'no-such-group-acq': an existing group", failure);
    }

    [Fact]
    public void The_real_profile_needs_an_existing_grbl_settings_file()
    {
        var failures = Check([.. Valid.Where(v => v.Item1 != "Station:Hardware"), ("Station:Hardware", "Real"),
            ("Stage:GrblSettingsFile", "/nonexistent/grbl-settings.txt")]);
        var failure = Assert.Single(failures);
        Assert.StartsWith("Stage:GrblSettingsFile = '/nonexistent/grbl-settings.txt': an existing file", failure);
    }

    [Fact]
    public void Shipped_configurations_are_valid()
    {
        foreach (var file in new[] { "station.json", "station.sim.json" })
        {
            var config = new ConfigurationBuilder().AddJsonFile(RepositoryPaths.FirmwareConfig(file)).Build();
            var values = config.AsEnumerable().Where(kv => kv.Value is not null)
                // The real profile names the service group and installed paths, which this machine need not have.
                .Where(kv => kv.Key != "ControlApi:SocketGroup")
                .Select(kv => (kv.Key, kv.Value)).ToArray();
            var failures = CheckWith(RepositoryPaths.FirmwareConfig(file), withWebSection: true, values!)
                // The real profile's settings file is installed under /etc, which this machine need not have.
                .Where(f => !(file == "station.json" && f.StartsWith("Stage:GrblSettingsFile", StringComparison.Ordinal))).ToList();
            Assert.True(failures.Count == 0, file + ": " + string.Join("\n", failures));
        }
    }
}
