using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;
using Acquisition.Station.Uplink;
using Acquisition.Uplink;
using Microsoft.Extensions.Options;
using StationUplinkOptions = Acquisition.Station.Configuration.UplinkOptions;
using UplinkServiceOptions = Acquisition.Uplink.UplinkOptions;

namespace Acquisition.Station.Tests;

/// <summary>
/// The station's "Uplink" section: every setting reaches the uplink the host builds, and the start-up check and the
/// host agree on what is valid (a configuration that passes the check builds the uplink; one that would not build
/// is refused at the check with the key to fix).
/// </summary>
public sealed class UplinkConfigurationTests
{
    private static readonly (string, string?)[] Valid =
    [
        ("Station:StationId", "ACQ-1"),
        ("Station:DataDirectory", "/var/lib/acquisition-station"),
        ("Station:Hardware", "Fake"),
        ("RingLight:SegmentChannels:0", "0"),
        ("RingLight:SegmentChannels:1", "1"),
    ];

    private static IConfigurationRoot Config(IEnumerable<(string Key, string? Value)> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static IReadOnlyList<string> Check(IConfiguration config)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddStationConfiguration(config, null);
        using var provider = services.BuildServiceProvider();
        return ConfigurationCheck.Run(provider);
    }

    /// <summary>What the host does with the section, without the station's check in front: bind, map, build the uplink.</summary>
    private static string? BuildUplink(IConfiguration config, string dataRoot)
    {
        var station = config.GetSection(StationUplinkOptions.Section).Get<StationUplinkOptions>() ?? new StationUplinkOptions();
        var mapped = new UplinkServiceOptions();
        var data = new DataDirectory(dataRoot).EnsureCreated();
        UplinkComposition.Map(station, data, mapped);
        try
        {
            using var service = new UplinkService(data, Options.Create(mapped), TimeProvider.System);
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex.Message;
        }
    }

    private static string PrivateFile(TempDirectory temp, string name, string content)
    {
        var path = temp.Combine(name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Theory]
    [InlineData("national", true)]
    [InlineData("intl.exchange_2-b", true)]
    [InlineData("my server", false)]
    [InlineData(" national", false)]
    [InlineData("zoll/basel", false)]
    [InlineData("zürich", false)]
    public void The_start_check_and_the_host_agree_on_destination_names(string name, bool valid)
    {
        using var temp = new TempDirectory();
        var config = Config([.. Valid, ("Uplink:Destinations:0:Name", name), ("Uplink:Destinations:0:Url", "https://evidence.example.org/")]);

        var failures = Check(config);
        var buildError = BuildUplink(config, temp.Combine("data"));

        Assert.Equal(valid, failures.Count == 0);
        Assert.Equal(valid, buildError is null);
        if (!valid)
        {
            var failure = Assert.Single(failures);
            Assert.StartsWith("Uplink:Destinations:0 ('" + name + "'): Name must be", failure, StringComparison.Ordinal);
            Assert.Contains("no spaces", failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Names_differing_only_in_case_are_refused_at_the_check_as_the_host_would()
    {
        using var temp = new TempDirectory();
        var config = Config([.. Valid,
            ("Uplink:Destinations:0:Name", "national"), ("Uplink:Destinations:0:Url", "https://a.example.org/"),
            ("Uplink:Destinations:1:Name", "National"), ("Uplink:Destinations:1:LayoutPath", "/media/usb0/export")]);

        var failure = Assert.Single(Check(config));

        Assert.Contains("used twice", failure, StringComparison.Ordinal);
        Assert.NotNull(BuildUplink(config, temp.Combine("data")));
    }

    [Fact]
    public void Each_setting_problem_is_reported_at_the_check_with_its_key()
    {
        using var temp = new TempDirectory();
        var worldReadable = temp.Combine("token");
        File.WriteAllText(worldReadable, "t0ken");
        File.SetUnixFileMode(worldReadable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var config = Config([.. Valid,
            ("Uplink:ChunkSizeBytes", "1024"),
            ("Uplink:BandwidthLimitBytesPerSecond", "0"),
            ("Uplink:RetryInitialDelay", "00:01:00"), ("Uplink:RetryMaxDelay", "00:00:10"),
            ("Uplink:Destinations:0:Name", "national"), ("Uplink:Destinations:0:Url", "http://evidence.example.org/"),
            ("Uplink:Destinations:0:BearerTokenFile", worldReadable),
            ("Uplink:Destinations:0:ClientCertificatePath", temp.Combine("missing.pem")),
            ("Uplink:Destinations:1:Name", "usb"), ("Uplink:Destinations:1:LayoutPath", "relative/export"),
            ("Uplink:Destinations:2:Name", "both"), ("Uplink:Destinations:2:Url", "https://b.example.org/"), ("Uplink:Destinations:2:LayoutPath", "/media/x"),
            ("Uplink:Destinations:3:Name", "usb2"), ("Uplink:Destinations:3:LayoutPath", "/media/usb1/export"), ("Uplink:Destinations:3:Repository", "x/y"),
            ("Uplink:Destinations:4:Name", "intl"), ("Uplink:Destinations:4:Url", "https://c.example.org/"), ("Uplink:Destinations:4:Route", "Sometimes")]);

        var failures = string.Join("\n", Check(config));

        Assert.Contains("Uplink:Destinations:4:Route = 'Sometimes': not one of All, SearchProtocolFlagged.", failures, StringComparison.Ordinal);
        // The shape failure holds back the section's semantic checks (binding would stop there); fix it and see them.
        config = Config(config.AsEnumerable().Where(kv => kv.Value is not null && kv.Key != "Uplink:Destinations:4:Route").Select(kv => (kv.Key, kv.Value)));
        failures = string.Join("\n", Check(config));

        Assert.Contains("Uplink:Destinations:0:Url = 'http://evidence.example.org/': an absolute https:// URL", failures, StringComparison.Ordinal);
        Assert.Contains("Uplink:Destinations:1:LayoutPath = 'relative/export': an absolute directory path", failures, StringComparison.Ordinal);
        Assert.Contains("Uplink:Destinations:2 = 'both': give either Url (a registry) or LayoutPath (an OCI image layout directory), not both.", failures, StringComparison.Ordinal);
        Assert.Contains("Uplink:Destinations:3 = 'usb2': Repository, CaBundlePath", failures, StringComparison.Ordinal);
        Assert.Contains("Uplink:ChunkSizeBytes 1024 is outside 65536..536870912.", failures, StringComparison.Ordinal);
        Assert.Contains("Uplink:BandwidthLimitBytesPerSecond must be positive", failures, StringComparison.Ordinal);
        Assert.Contains("RetryMaxDelay at least RetryInitialDelay", failures, StringComparison.Ordinal);
        Assert.Contains($"Uplink:Destinations:0 ('national'): The bearer token file '{worldReadable}' is readable by group or others; run 'chmod 600", failures, StringComparison.Ordinal);
        Assert.Contains("ClientCertificatePath and ClientKeyPath go together", failures, StringComparison.Ordinal);
        Assert.Contains("the client certificate file", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("t0ken", failures, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_uplink_setting_reaches_the_uplink_the_host_builds()
    {
        using var temp = new TempDirectory();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=station-07", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = temp.Combine("client.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        var keyPath = PrivateFile(temp, "client.key", key.ExportPkcs8PrivateKeyPem());
        var caPath = temp.Combine("ca.pem");
        File.WriteAllText(caPath, cert.ExportCertificatePem());
        var basicPath = PrivateFile(temp, "national.basic", "station07:s3cret");
        var tokenPath = PrivateFile(temp, "intl.token", "eyJ0b2tlbiJ9");
        var usb = temp.Combine("usb-export");

        var launch = StationLaunch.Parse(
        [
            "--config", RepositoryPaths.FirmwareConfig("station.sim.json"),
            $"--Station:DataDirectory={temp.Combine("data")}",
            "--Station:Hardware=fake",
            "--Uplink:ChunkSizeBytes=1048576",
            "--Uplink:BandwidthLimitBytesPerSecond=250000",
            "--Uplink:RequestTimeout=00:00:45",
            "--Uplink:RetryInitialDelay=00:00:05",
            "--Uplink:RetryMaxDelay=00:30:00",
            "--Uplink:PollInterval=00:01:00",
            "--Uplink:RetentionEnabled=false",
            "--Uplink:RetentionPeriod=30.00:00:00",
            "--Uplink:RequireStationSigner=false",
            "--Uplink:Destinations:0:Name=national",
            "--Uplink:Destinations:0:Url=https://evidence.example.org/",
            "--Uplink:Destinations:0:Repository=ballistics/station-07",
            $"--Uplink:Destinations:0:CaBundlePath={caPath}",
            $"--Uplink:Destinations:0:ClientCertificatePath={certPath}",
            $"--Uplink:Destinations:0:ClientKeyPath={keyPath}",
            $"--Uplink:Destinations:0:BasicCredentialsFile={basicPath}",
            "--Uplink:Destinations:1:Name=intl",
            "--Uplink:Destinations:1:Url=https://exchange.example.org/",
            "--Uplink:Destinations:1:Route=SearchProtocolFlagged",
            $"--Uplink:Destinations:1:BearerTokenFile={tokenPath}",
            "--Uplink:Destinations:2:Name=usb",
            $"--Uplink:Destinations:2:LayoutPath={usb}",
        ]);
        await using var app = StationHost.Build(launch);

        Assert.Empty(await StationHost.PrepareAsync(app, CancellationToken.None));
        var o = app.Services.GetRequiredService<IOptions<UplinkServiceOptions>>().Value;
        var uplink = app.Services.GetRequiredService<UplinkService>();

        Assert.Equal(1048576, o.ChunkSizeBytes);
        Assert.Equal(250000, o.BandwidthLimitBytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(45), o.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), o.RetryInitialDelay);
        Assert.Equal(TimeSpan.FromMinutes(30), o.RetryMaxDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), o.PollInterval);
        Assert.False(o.RetentionEnabled);
        Assert.Equal(TimeSpan.FromDays(30), o.RetentionPeriod);
        Assert.False(o.RequireStationSigner);
        Assert.Equal(["national", "intl", "usb"], o.Destinations.Select(d => d.Name));
        var national = o.Destinations[0];
        Assert.Equal((UplinkDestinationKind.Registry, DestinationRoute.All, "https://evidence.example.org/", "ballistics/station-07", false),
            (national.Kind, national.Route, national.RegistryUrl, national.Repository, national.AllowPlainHttp));
        Assert.Equal((caPath, certPath, keyPath, basicPath, (string?)null),
            (national.CaBundlePath, national.ClientCertificatePath, national.ClientKeyPath, national.BasicCredentialsFile, national.BearerTokenFile));
        var intl = o.Destinations[1];
        Assert.Equal((UplinkDestinationKind.Registry, DestinationRoute.SearchProtocolFlagged, tokenPath, "acquisition/captures"),
            (intl.Kind, intl.Route, intl.BearerTokenFile, intl.Repository));
        Assert.Equal((UplinkDestinationKind.OciLayout, usb), (o.Destinations[2].Kind, o.Destinations[2].LayoutPath));
        // The host built the uplink from them: two registry clients (TLS material loaded) and the layout on the stick.
        Assert.Equal(["national", "intl", "usb"], uplink.Destinations.Select(d => d.Name));
        Assert.IsType<RegistryDestination>(uplink.Destinations[0]);
        Assert.IsType<RegistryDestination>(uplink.Destinations[1]);
        Assert.IsType<OciLayoutDestination>(uplink.Destinations[2]);
    }

    [Fact]
    public void Null_optional_keys_as_in_the_shipped_station_json_count_as_not_set()
    {
        using var temp = new TempDirectory();
        var json = temp.Combine("uplink.json");
        File.WriteAllText(json, """
            { "Uplink": { "Destinations": [ { "Name": "central", "Url": "https://evidence.example.org/", "LayoutPath": null, "Repository": null,
              "CaBundlePath": null, "ClientCertificatePath": null, "ClientKeyPath": null, "BasicCredentialsFile": null, "BearerTokenFile": null } ],
              "BandwidthLimitBytesPerSecond": null } }
            """);
        var config = new ConfigurationBuilder().AddInMemoryCollection(Valid.Select(v => new KeyValuePair<string, string?>(v.Item1, v.Item2))).AddJsonFile(json).Build();

        Assert.Empty(Check(config));
        Assert.Null(BuildUplink(config, temp.Combine("data")));
        var mapped = new UplinkServiceOptions();
        UplinkComposition.Map(config.GetSection("Uplink").Get<StationUplinkOptions>()!, "/var/lib/acquisition-station", mapped);
        var d = Assert.Single(mapped.Destinations);
        Assert.Equal((UplinkDestinationKind.Registry, "acquisition/captures", (string?)null, (string?)null, (string?)null, (long?)null),
            (d.Kind, d.Repository, d.CaBundlePath, d.BearerTokenFile, d.LayoutPath, mapped.BandwidthLimitBytesPerSecond));
    }

    [Fact]
    public void Settings_left_out_keep_the_uplink_library_defaults()
    {
        var mapped = new UplinkServiceOptions();
        UplinkComposition.Map(new StationUplinkOptions(), "/var/lib/acquisition-station", mapped);
        var defaults = new UplinkServiceOptions();

        Assert.Equal((defaults.ChunkSizeBytes, defaults.BandwidthLimitBytesPerSecond, defaults.RequestTimeout, defaults.RetryInitialDelay, defaults.RetryMaxDelay, defaults.PollInterval, defaults.RetentionEnabled, defaults.RetentionPeriod, defaults.RequireStationSigner),
            (mapped.ChunkSizeBytes, mapped.BandwidthLimitBytesPerSecond, mapped.RequestTimeout, mapped.RetryInitialDelay, mapped.RetryMaxDelay, mapped.PollInterval, mapped.RetentionEnabled, mapped.RetentionPeriod, mapped.RequireStationSigner));
        var only = Assert.Single(mapped.Destinations);
        Assert.Equal((UplinkComposition.DefaultDestinationName, UplinkDestinationKind.OciLayout, "/var/lib/acquisition-station/oci-export"), (only.Name, only.Kind, only.LayoutPath));
    }
}
