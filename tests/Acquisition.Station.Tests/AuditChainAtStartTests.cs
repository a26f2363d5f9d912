using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;
using Acquisition.Station.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Station.Tests;

/// <summary>An edited audit line is noticed, and named, at the next start.</summary>
public sealed class AuditChainAtStartTests
{
    private sealed class RecordingLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    private static Func<string, Task<RecordingLogger<StationDataSetup>>> Starter(DataDirectory data)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        var sections = new[] { new StationConfigurationSection(StationOptions.Section, typeof(StationOptions)) };
        IConfiguration Config(string id) => new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("Station:StationId", id)]).Build();
        return async id =>
        {
            var log = new RecordingLogger<StationDataSetup>();
            await new StationDataSetup(data, new DurableFileWriter(data), new AuditLog(data, time), Config(id), sections, log)
                .RunAsync(CancellationToken.None);
            return log;
        };
    }

    /// <summary>Two starts (station ids A, then B) leave two config entries; the first line is then edited. Returns the log's path.</summary>
    private static async Task<string> StartTwiceThenEditTheFirstLineAsync(DataDirectory data, Func<string, Task<RecordingLogger<StationDataSetup>>> start, Func<string, string> edit)
    {
        await start("A");
        await start("B");
        var path = Path.Combine(data.Audit, "audit.jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        lines[0] = edit(lines[0]);
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    [Fact]
    public async Task An_edited_audit_line_is_reported_at_start_with_its_line_number()
    {
        using var temp = new TempDirectory();
        var data = new DataDirectory(temp.Combine("data"));
        var Start = Starter(data);
        await StartTwiceThenEditTheFirstLineAsync(data, Start, line => line.Replace("\"A\"", "\"Z\"", StringComparison.Ordinal));

        var log = await Start("B");

        var critical = Assert.Single(log.Entries, e => e.Level == LogLevel.Critical);
        Assert.Contains("broken at line 1", critical.Message);
        Assert.Contains("altered", critical.Message);
    }

    [Fact]
    public async Task A_power_cut_in_the_middle_of_an_audit_append_does_not_stop_the_next_start()
    {
        using var temp = new TempDirectory();
        var data = new DataDirectory(temp.Combine("data"));
        var Start = Starter(data);
        await Start("A");
        var path = Path.Combine(data.Audit, "audit.jsonl");
        await File.AppendAllTextAsync(path, "{\"seq\":1,\"at\":\"2026-11-23T06:00:00.0000000Z\",\"us");

        var log = await Start("B");

        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("a crash interrupted", warning.Message);
        Assert.DoesNotContain(log.Entries, e => e.Level == LogLevel.Critical);
        var audit = new AuditLog(data, TimeProvider.System);
        Assert.Equal([StationDataSetup.ConfigChangedAction, AuditLog.TornTailAction, StationDataSetup.ConfigChangedAction],
            (await audit.ReadAllAsync(CancellationToken.None)).Select(e => e.Action));
        Assert.True((await audit.VerifyAsync(CancellationToken.None)).IsIntact);
    }

    [Fact]
    public async Task A_damaged_audit_line_is_reported_and_the_station_still_starts()
    {
        using var temp = new TempDirectory();
        var data = new DataDirectory(temp.Combine("data"));
        var Start = Starter(data);
        var path = await StartTwiceThenEditTheFirstLineAsync(data, Start, _ => "garbage");

        var log = await Start("C");

        Assert.Contains("broken at line 1", Assert.Single(log.Entries, e => e.Level == LogLevel.Critical).Message);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("recording it in full", StringComparison.Ordinal));
        var last = (await File.ReadAllLinesAsync(path))[^1];
        Assert.Contains("\"action\":\"config.changed\"", last);
        Assert.Contains("\"previousHash\":null", last);
    }

    [Fact]
    public async Task An_edited_last_audit_line_is_not_cut_and_the_station_still_starts_saying_so()
    {
        using var temp = new TempDirectory();
        var data = new DataDirectory(temp.Combine("data"));
        var Start = Starter(data);
        await Start("A");
        var path = Path.Combine(data.Audit, "audit.jsonl");
        await File.AppendAllTextAsync(path, "{\"seq\":1,\"edited\":true}\n");
        var before = await File.ReadAllBytesAsync(path);

        var log = await Start("B");

        Assert.Contains(log.Entries, e => e.Level == LogLevel.Critical && e.Message.Contains("not what an interrupted append leaves", StringComparison.Ordinal));
        Assert.Equal(before, await File.ReadAllBytesAsync(path)); // neither cut nor appended to
    }
}
