using Acquisition.Core.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Core.Tests;

public sealed class AuditLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("audit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Chain_verifies_and_an_edited_line_is_named()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
        var log = new AuditLog(Path.Combine(_dir, "audit.jsonl"), clock);
        await log.AppendAsync("alice", "config.changed", new { key = "Stage:SettleTime", from = "00:00:00.05", to = "00:00:00.08" }, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        await log.AppendAsync("bob", "stage.jog", new { axis = "Z", micrometres = 12.5 }, CancellationToken.None);
        await log.AppendAsync("bob", "calibration.recorded", new { id = "pixel-size-v2" }, CancellationToken.None);

        var ok = await log.VerifyAsync(CancellationToken.None);
        Assert.True(ok.IsIntact);
        Assert.Equal(3, ok.Entries);
        Assert.Equal(await log.GetHeadHashAsync(CancellationToken.None), ok.HeadHash);

        var lines = await File.ReadAllLinesAsync(log.FilePath);
        lines[1] = lines[1].Replace("12.5", "125", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(log.FilePath, lines);

        var bad = await new AuditLog(log.FilePath, clock).VerifyAsync(CancellationToken.None);
        Assert.False(bad.IsIntact);
        Assert.Equal(2, bad.FirstBadLine);
        Assert.Contains("altered", bad.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_line_breaks_the_chain()
    {
        var clock = new FakeTimeProvider();
        var log = new AuditLog(Path.Combine(_dir, "audit.jsonl"), clock);
        for (var i = 0; i < 4; i++)
        {
            await log.AppendAsync("svc", "test.step", new { i }, CancellationToken.None);
        }
        var lines = (await File.ReadAllLinesAsync(log.FilePath)).ToList();
        lines.RemoveAt(2);
        await File.WriteAllLinesAsync(log.FilePath, lines);

        var result = await new AuditLog(log.FilePath, clock).VerifyAsync(CancellationToken.None);
        Assert.False(result.IsIntact);
        Assert.Equal(3, result.FirstBadLine);
    }

    [Fact]
    public async Task Appends_continue_the_chain_across_instances()
    {
        var clock = new FakeTimeProvider();
        var path = Path.Combine(_dir, "audit.jsonl");
        await new AuditLog(path, clock).AppendAsync("a", "one", null, CancellationToken.None);
        var second = await new AuditLog(path, clock).AppendAsync("a", "two", null, CancellationToken.None);
        Assert.Equal(1, second.Sequence);
        Assert.True((await new AuditLog(path, clock).VerifyAsync(CancellationToken.None)).IsIntact);
    }
}
