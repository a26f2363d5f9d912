using System.Text.Json;
using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;
using Acquisition.Station.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Station.Tests;

/// <summary>Start-up work on the data directory: layout, tmp/ cleanup, and the audit of configuration changes.</summary>
public sealed class StationDataSetupTests
{
    private static readonly StationConfigurationSection[] Sections =
    [
        new(StationOptions.Section, typeof(StationOptions)),
        new(StageOptions.Section, typeof(StageOptions)),
    ];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private async Task<AuditLog> RunSetupAsync(string root, IConfiguration config)
    {
        var data = new DataDirectory(root);
        var audit = new AuditLog(data, _time);
        var setup = new StationDataSetup(data, new DurableFileWriter(data), audit, config, Sections, NullLogger<StationDataSetup>.Instance);
        await setup.RunAsync(CancellationToken.None);
        return audit;
    }

    [Fact]
    public async Task Creates_the_layout_with_keys_private_and_empties_tmp()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("data");
        Directory.CreateDirectory(Path.Combine(root, "tmp", "half-written"));
        await File.WriteAllTextAsync(Path.Combine(root, "tmp", "x3p.0123.tmp"), "interrupted");
        var evidence = Path.Combine(root, "packages", "keep.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(evidence)!);
        await File.WriteAllTextAsync(evidence, "evidence");

        await RunSetupAsync(root, Config(("Station:StationId", "A")));

        foreach (var dir in new[] { "packages", "tmp", "calibration", "audit", "keys", "logs" })
        {
            Assert.True(Directory.Exists(Path.Combine(root, dir)), dir);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(root, "keys")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, "tmp")));
        Assert.True(File.Exists(evidence));
    }

    [Fact]
    public async Task A_capture_that_never_sealed_is_kept_in_unsealed_and_audited_file_by_file_not_emptied_with_tmp()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("data");
        var staging = Path.Combine(root, "tmp", "01JCRASH.staging");
        Directory.CreateDirectory(Path.Combine(staging, "breech-face"));
        await File.WriteAllTextAsync(Path.Combine(staging, "breech-face", "fused.png"), "what the crash left");
        await File.WriteAllTextAsync(Path.Combine(staging, "capture.json"), "{}");
        // An earlier start already kept one of this name: nothing is ever overwritten.
        Directory.CreateDirectory(Path.Combine(root, "unsealed", "01JCRASH"));
        await File.WriteAllTextAsync(Path.Combine(root, "tmp", "x3p.0123.tmp"), "interrupted");

        var audit = await RunSetupAsync(root, Config(("Station:StationId", "A")));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, "tmp")));
        var kept = Path.Combine(root, "unsealed", "01JCRASH-2");
        Assert.Equal("what the crash left", await File.ReadAllTextAsync(Path.Combine(kept, "breech-face", "fused.png")));
        var entry = Assert.Single(await audit.ReadAllAsync(CancellationToken.None), e => e.Action == StationDataSetup.UnsealedKeptAction);
        var details = entry.Details!.Value;
        Assert.Equal("01JCRASH", details.GetProperty("captureId").GetString());
        Assert.Equal(Path.Combine("unsealed", "01JCRASH-2"), details.GetProperty("keptAs").GetString());
        var files = details.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(["breech-face/fused.png", "capture.json"], files.Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("what the crash left"u8)),
            files[0].GetProperty("sha256").GetString());
        Assert.Equal(19, files[0].GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task A_configuration_change_is_audited_with_the_changed_keys_and_an_unchanged_start_is_not()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("data");

        await RunSetupAsync(root, Config(("Station:StationId", "A"), ("Stage:BaudRate", "115200")));
        await RunSetupAsync(root, Config(("Station:StationId", "A"), ("Stage:BaudRate", "115200")));
        var audit = await RunSetupAsync(root, Config(("Station:StationId", "B"), ("Stage:ZHoldsItself", "true")));

        var entries = await audit.ReadAllAsync(CancellationToken.None);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(StationDataSetup.ConfigChangedAction, e.Action));
        Assert.All(entries, e => Assert.Equal(Environment.UserName, e.User));

        var first = entries[0].Details!.Value;
        Assert.Equal(JsonValueKind.Null, first.GetProperty("previousHash").ValueKind);
        Assert.Equal("A", first.GetProperty("added").GetProperty("Station:StationId").GetString());

        var second = entries[1].Details!.Value;
        Assert.Equal(first.GetProperty("hash").GetString(), second.GetProperty("previousHash").GetString());
        var changed = second.GetProperty("changed").GetProperty("Station:StationId");
        Assert.Equal("A", changed.GetProperty("from").GetString());
        Assert.Equal("B", changed.GetProperty("to").GetString());
        Assert.Equal("true", second.GetProperty("added").GetProperty("Stage:ZHoldsItself").GetString());
        Assert.Equal("115200", second.GetProperty("removed").GetProperty("Stage:BaudRate").GetString());

        // The snapshot each entry names is on disk, so a later diff has something to compare with.
        Assert.True(File.Exists(Path.Combine(root, second.GetProperty("snapshot").GetString()!)));
        Assert.True((await audit.VerifyAsync(CancellationToken.None)).IsIntact);
    }

    [Fact]
    public async Task Keys_outside_the_station_sections_do_not_count_as_configuration_changes()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("data");

        await RunSetupAsync(root, Config(("Station:StationId", "A"), ("Logging:LogLevel:Default", "Information")));
        var audit = await RunSetupAsync(root, Config(("Station:StationId", "A"), ("Logging:LogLevel:Default", "Debug")));

        Assert.Single(await audit.ReadAllAsync(CancellationToken.None));
    }
}
