using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Acquisition.Core.Storage;
using Acquisition.Packaging;

namespace Acquisition.Console.Tests;

/// <summary>The commands that work without the daemon, run as the real acq binary on real files.</summary>
public sealed class LocalCommandTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private async Task<(DataDirectory Data, SealedPackage Package)> SealPackageAsync(string dataRoot)
    {
        var data = new DataDirectory(dataRoot).EnsureCreated();
        var keys = new StationKeyStore(data, TimeProvider.System);
        const string captureId = "01JD3Q4V6Z8KXW3N9M2T5R7B1C";
        var builder = PackageBuilder.Begin(data, captureId, "ST-01", new DurableFileWriter(data), TimeProvider.System);
        var payload = new byte[4096];
        new Random(7).NextBytes(payload);
        await builder.AddFileAsync("regions/BreechFace/fused-ring-0.png", PackageMediaTypes.Png, payload, CancellationToken.None);
        using var key = await keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        var capture = Encoding.UTF8.GetBytes($$"""{"schema":"acquisition.capture/v1","captureId":"{{captureId}}","stationId":"ST-01","status":"complete","case":{},"searchProtocol":{},"sealedAt":"2026-11-23T05:00:00Z"}""");
        return (data, await builder.SealAsync(capture, key, CancellationToken.None));
    }

    [Fact]
    public async Task Verify_package_passes_an_intact_package_and_names_a_changed_file()
    {
        var (data, package) = await SealPackageAsync(_tmp.Combine("data"));

        var ok = await AcqProcess.RunAsync("verify", "package", package.Path, "--data", data.Root, "--json");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var json = ok.Json();
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.True(json.GetProperty("signerTrustChecked").GetBoolean());
        Assert.Equal("01JD3Q4V6Z8KXW3N9M2T5R7B1C", json.GetProperty("captureId").GetString());

        var file = Path.Combine(package.Path, "regions", "BreechFace", "fused-ring-0.png");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[100] ^= 0x01;
        await File.WriteAllBytesAsync(file, bytes);

        var bad = await AcqProcess.RunAsync("verify", "package", package.Path);
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.Contains("INVALID", bad.Stdout);
        Assert.Contains("regions/BreechFace/fused-ring-0.png", bad.Stdout);
    }

    [Fact]
    public async Task Verify_package_checks_a_correction_against_the_original_next_to_it()
    {
        var (data, original) = await SealPackageAsync(_tmp.Combine("data"));
        const string correctionId = "01JD3Q4V6Z8KXW3N9M2T5R7B2D";
        var builder = PackageBuilder.Begin(data, correctionId, "ST-01", new DurableFileWriter(data), TimeProvider.System, supplementOf: original.CaptureId);
        using (var key = await new StationKeyStore(data, TimeProvider.System).GetOrCreateSigningKeyAsync(CancellationToken.None))
        {
            await builder.SealCorrectionAsync(new CorrectionRecord(correctionId, original.CaptureId, original.ManifestSha256, 1,
                [new FieldCorrection("caseNumber", "2026-1", "2026-2")], "typo", "alice", DateTimeOffset.UnixEpoch), key, CancellationToken.None);
        }
        var supplement = Path.Combine(data.Packages, correctionId);

        var ok = await AcqProcess.RunAsync("verify", "package", supplement, "--data", data.Root, "--json");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(original.CaptureId, ok.Json().GetProperty("supplementOf").GetString());
        Assert.True(ok.Json().GetProperty("originalChecked").GetBoolean());

        // The original changed after the correction was made: the correction no longer corrects it.
        var manifest = Path.Combine(original.Path, "manifest.json");
        File.SetUnixFileMode(manifest, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest)).Replace("ST-01", "ST-02", StringComparison.Ordinal));
        var bad = await AcqProcess.RunAsync("verify", "package", supplement);
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.Contains("does not correct this package", bad.Stdout);
    }

    [Fact]
    public async Task Verify_package_rejects_a_signer_that_is_not_trusted()
    {
        var (_, package) = await SealPackageAsync(_tmp.Combine("data"));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var stranger = KeyIds.Of(other);

        var result = await AcqProcess.RunAsync("verify", "package", package.Path, "--trust", stranger, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var problems = result.Json().GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.NotEmpty(problems);
        Assert.Contains(problems, p => p!.Contains("trust", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Verify_package_without_trust_still_checks_the_signature_and_warns()
    {
        var (_, package) = await SealPackageAsync(_tmp.Combine("data"));

        var result = await AcqProcess.RunAsync("verify", "package", package.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("VALID", result.Stdout);
        Assert.Contains("not checked against a trusted key", result.Stderr);
    }

    [Fact]
    public async Task Verify_package_of_a_missing_directory_is_a_local_file_error()
    {
        var result = await AcqProcess.RunAsync("verify", "package", _tmp.Combine("nope"), "--json");

        Assert.Equal(6, result.ExitCode);
        Assert.Equal("local-file", result.Json().GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Audit_verify_detects_an_edited_line_and_names_it()
    {
        var data = new DataDirectory(_tmp.Combine("data")).EnsureCreated();
        var log = new AuditLog(data, TimeProvider.System);
        await log.AppendAsync("alice", "stage.jog", new { axis = "x", distanceMicrometres = 100 }, CancellationToken.None);
        await log.AppendAsync("bob", "calibration.recorded", new { id = "pixel-size-v1" }, CancellationToken.None);
        await log.AppendAsync("alice", "lights.set", new { level = 0.5 }, CancellationToken.None);

        var intact = await AcqProcess.RunAsync("audit", "verify", "--data", data.Root);
        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.Contains("intact", intact.Stdout);

        var lines = await File.ReadAllLinesAsync(log.FilePath);
        lines[1] = lines[1].Replace("pixel-size-v1", "pixel-size-v9", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(log.FilePath, lines);

        var broken = await AcqProcess.RunAsync("audit", "verify", "--data", data.Root, "--json");
        Assert.True(broken.ExitCode == 1, broken.ToString());
        var json = broken.Json();
        Assert.False(json.GetProperty("isIntact").GetBoolean());
        Assert.Equal(2, json.GetProperty("firstBadLine").GetInt64());
        Assert.Contains("line 2", json.GetProperty("problem").GetString());

        var human = await AcqProcess.RunAsync(["audit", "verify"], new Dictionary<string, string?> { ["ACQ_DATA"] = data.Root });
        Assert.Equal(1, human.ExitCode);
        Assert.Contains("line 2", human.Stdout);
    }

    [Fact]
    public async Task Audit_show_lists_and_filters_entries()
    {
        var data = new DataDirectory(_tmp.Combine("data")).EnsureCreated();
        var log = new AuditLog(data, TimeProvider.System);
        await log.AppendAsync("alice", "stage.jog", new { axis = "x" }, CancellationToken.None);
        await log.AppendAsync("bob", "calibration.recorded", new { id = "flat-field-v2" }, CancellationToken.None);

        var json = await AcqProcess.RunAsync("audit", "show", "--data", data.Root, "--action", "calibration", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var entries = json.Json().EnumerateArray().ToList();
        Assert.Single(entries);
        Assert.Equal("bob", entries[0].GetProperty("user").GetString());
        Assert.Equal("flat-field-v2", entries[0].GetProperty("details").GetProperty("id").GetString());

        var table = await AcqProcess.RunAsync("audit", "show", "--data", data.Root);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("stage.jog", table.Stdout);
        Assert.Contains("calibration.recorded", table.Stdout);
        Assert.Contains("2 entries", table.Stdout);
    }

    [Fact]
    public async Task Audit_of_a_missing_data_directory_says_so()
    {
        var result = await AcqProcess.RunAsync("audit", "show", "--data", _tmp.Combine("missing"));

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("--data", result.Stderr);
    }

    private const string ReferenceConfig = """
        {
          "Station": { "StationId": "ACQ-0001", "TimeZone": "Europe/Berlin", "DataDirectory": "/var/lib/acquisition-station",
                       "Pins": { "CaptureButton": 17, "ButtonActiveLow": true } },
          "Stage": { "SerialPort": "/dev/stage", "BaudRate": 115200 },
          "RingLight": { "I2cAddress": "0x40", "SegmentChannels": [ 0, 1, 2 ] },
          "Calibration": { "PixelSizeValidity": "30.00:00:00" },
          "Uplink": { "Destinations": [ { "Name": "central", "Url": "https://evidence.example.org/" } ] },
          "Logging": { "LogLevel": { "Default": "Information" } }
        }
        """;

    [Fact]
    public async Task Config_validate_accepts_a_good_file_and_lists_every_mistake_of_a_bad_one()
    {
        var reference = _tmp.Combine("station.json");
        await File.WriteAllTextAsync(reference, ReferenceConfig);
        var good = _tmp.Combine("good.json");
        await File.WriteAllTextAsync(good, """
            { "station": { "stationId": "ACQ-0042", "TimeZone": "America/Chicago" },
              "Stage": { "BaudRate": "250000" },
              "Logging": { "LogLevel": { "Acquisition.Workflow": "Debug" } } }
            """);
        var ok = await AcqProcess.RunAsync("config", "validate", good, "--reference", reference, "--json");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.True(ok.Json().GetProperty("valid").GetBoolean());

        var bad = _tmp.Combine("bad.json");
        await File.WriteAllTextAsync(bad, """
            { "Station": { "StationID": "ACQ-0042", "TimeZone": "Mars/Olympus", "DataDirectroy": "/data" },
              "Stage": { "BaudRate": "fast" },
              "RingLight": { "I2cAddress": "forty", "SegmentChannels": [ 0, 1.5 ] },
              "Calibration": { "PixelSizeValidity": "a month" },
              "Uplink": { "Destinations": [ { "Name": "central", "Url": "evidence.example.org" } ] } }
            """);
        var result = await AcqProcess.RunAsync("config", "validate", bad, "--reference", reference, "--json");
        Assert.True(result.ExitCode == 1, result.ToString());
        var paths = result.Json().GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("path").GetString()).ToList();
        Assert.Contains("Station:TimeZone", paths);
        Assert.Contains("Station:DataDirectroy", paths);
        Assert.DoesNotContain("Station:DataDirectory", paths);
        Assert.Contains("Stage:BaudRate", paths);
        Assert.Contains("RingLight:I2cAddress", paths);
        Assert.Contains("RingLight:SegmentChannels:1", paths);
        Assert.Contains("Calibration:PixelSizeValidity", paths);
        Assert.Contains("Uplink:Destinations:0:Url", paths);
        // Keys are case-insensitive, as the configuration binder reads them: StationID is StationId.
        Assert.DoesNotContain("Station:StationID", paths);

        var human = await AcqProcess.RunAsync("config", "validate", bad, "--reference", reference);
        Assert.Equal(1, human.ExitCode);
        Assert.Contains("7 problem(s)", human.Stdout);
        Assert.Contains("typo", human.Stdout);
    }

    [Fact]
    public async Task Config_validate_checks_the_shipped_profiles_against_the_built_in_defaults()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Acquisition.sln")))
        {
            root = Path.GetDirectoryName(root);
        }
        Assert.NotNull(root);
        var shipped = Path.Combine(root, "firmware-config", "station.json");
        if (!File.Exists(shipped))
        {
            // Built without firmware-config/station.json: acq says how to give the defaults instead.
            await File.WriteAllTextAsync(_tmp.Combine("x.json"), "{}");
            var without = await AcqProcess.RunAsync("config", "validate", _tmp.Combine("x.json"));
            Assert.Equal(2, without.ExitCode);
            Assert.Contains("--reference", without.Stderr);
            return;
        }
        foreach (var profile in Directory.EnumerateFiles(Path.Combine(root, "firmware-config"), "station*.json"))
        {
            var result = await AcqProcess.RunAsync("config", "validate", profile, "--json");
            Assert.True(result.ExitCode == 0, profile + ": " + result);
        }
        var typo = _tmp.Combine("typo.json");
        await File.WriteAllTextAsync(typo, """{ "Stage": { "BaudRat": 115200 } }""");
        var bad = await AcqProcess.RunAsync("config", "validate", typo);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Stage:BaudRat", bad.Stdout);
    }

    [Fact]
    public async Task Config_validate_reports_a_syntax_error_with_its_line()
    {
        var reference = _tmp.Combine("station.json");
        await File.WriteAllTextAsync(reference, ReferenceConfig);
        var broken = _tmp.Combine("broken.json");
        await File.WriteAllTextAsync(broken, "{\n  \"Station\": {\n    \"StationId\": \"A\"\n    \"TimeZone\": \"Etc/UTC\"\n  }\n}\n");

        var result = await AcqProcess.RunAsync("config", "validate", broken, "--reference", reference);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("line 4", result.Stdout);
    }

    [Fact]
    public async Task Enrol_on_a_data_directory_creates_the_key_exports_a_verifiable_csr_and_audits_it()
    {
        var dataRoot = _tmp.Combine("data");
        var outDir = _tmp.Combine("export");

        var first = await AcqProcess.RunAsync("enrol", "--data", dataRoot, "--subject", "CN=ACQ-0042, O=State Crime Lab, C=US", "--out", outDir, "--json",
            "--socket", _tmp.Combine("no.sock"));
        Assert.True(first.ExitCode == 0, first.ToString());
        var json = first.Json();
        Assert.True(json.GetProperty("created").GetBoolean());
        var keyId = json.GetProperty("keyId").GetString()!;

        var pem = await File.ReadAllTextAsync(Path.Combine(outDir, "station.pub.pem"));
        Assert.Equal(keyId, KeyIds.OfPem(pem));
        var csr = CertificateRequest.LoadSigningRequestPem(await File.ReadAllTextAsync(Path.Combine(outDir, "station.csr.pem")), HashAlgorithmName.SHA256);
        Assert.Contains("CN=ACQ-0042", csr.SubjectName.Name);
        using (var csrKey = csr.PublicKey.GetECDsaPublicKey()!)
        {
            Assert.Equal(keyId, KeyIds.Of(csrKey));
        }

        var again = await AcqProcess.RunAsync("enrol", "--data", dataRoot, "--json", "--socket", _tmp.Combine("no.sock"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.False(again.Json().GetProperty("created").GetBoolean());
        Assert.Equal(keyId, again.Json().GetProperty("keyId").GetString());

        var entries = await new AuditLog(new DataDirectory(dataRoot), TimeProvider.System).ReadAllAsync(CancellationToken.None);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal("station.enrolled", e.Action));
        Assert.All(entries, e => Assert.Equal(Environment.UserName, e.User));
        Assert.Equal(keyId, entries[0].Details!.Value.GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task Key_rotate_keeps_the_old_key_in_history_so_old_packages_still_verify()
    {
        var (data, package) = await SealPackageAsync(_tmp.Combine("data"));
        var oldKeyId = new StationKeyStore(data, TimeProvider.System).CurrentKeyId();

        var rotated = await AcqProcess.RunAsync("key", "rotate", "--data", data.Root, "--json", "--socket", _tmp.Combine("no.sock"));
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        var json = rotated.Json();
        var newKeyId = json.GetProperty("keyId").GetString();
        Assert.NotEqual(oldKeyId, newKeyId);
        Assert.Contains(oldKeyId, json.GetProperty("previousKeyIds").EnumerateArray().Select(e => e.GetString()));

        var verify = await AcqProcess.RunAsync("verify", "package", package.Path, "--data", data.Root);
        Assert.True(verify.ExitCode == 0, verify.ToString());

        var audit = await AcqProcess.RunAsync("audit", "show", "--data", data.Root, "--json");
        var last = audit.Json().EnumerateArray().Last();
        Assert.Equal("station.key-rotated", last.GetProperty("action").GetString());
        Assert.Equal(oldKeyId, last.GetProperty("details").GetProperty("previousKeyId").GetString());
        var chain = await AcqProcess.RunAsync("audit", "verify", "--data", data.Root);
        Assert.Equal(0, chain.ExitCode);
    }

    [Fact]
    public async Task Local_enrolment_is_refused_while_the_station_is_running()
    {
        await using var station = await FakeStation.StartAsync();

        var result = await AcqProcess.RunAsync("enrol", "--data", _tmp.Combine("data"), "--socket", station.SocketPath);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("station is running", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_tmp.Combine("data"), "keys", "station.key.pem")));
    }

    [Fact]
    public async Task Enrol_with_a_malformed_subject_is_a_usage_error()
    {
        var result = await AcqProcess.RunAsync("enrol", "--data", _tmp.Combine("data"), "--subject", "not a dn", "--socket", _tmp.Combine("no.sock"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("distinguished name", result.Stderr);
    }

    [Fact]
    public async Task Usage_errors_exit_2_also_in_json_mode()
    {
        var bare = await AcqProcess.RunAsync();
        Assert.Equal(2, bare.ExitCode);
        Assert.Contains("Commands:", bare.Stdout);

        var badAxis = await AcqProcess.RunAsync("jog", "q", "5", "--json");
        Assert.Equal(2, badAxis.ExitCode);
        Assert.Equal("usage", badAxis.Json().GetProperty("error").GetProperty("kind").GetString());

        var help = await AcqProcess.RunAsync("calibrate", "pixel-size", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("µm", help.Stdout);
    }

    [Fact]
    public async Task A_missing_socket_is_station_unreachable_with_a_hint()
    {
        var sock = _tmp.Combine("station.sock");

        var human = await AcqProcess.RunAsync(["status"], new Dictionary<string, string?> { ["ACQ_SOCKET"] = sock });
        Assert.Equal(3, human.ExitCode);
        Assert.Contains(sock, human.Stderr);
        Assert.Contains("systemctl", human.Stderr);

        var json = await AcqProcess.RunAsync("status", "--socket", sock, "--json");
        Assert.Equal(3, json.ExitCode);
        Assert.Equal("station-unreachable", json.Json().GetProperty("error").GetProperty("kind").GetString());
    }
}
