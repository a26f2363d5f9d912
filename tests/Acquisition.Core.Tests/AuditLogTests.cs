using System.Security.Cryptography;
using System.Text;
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

    public static TheoryData<string, byte[]> TornTails => new()
    {
        { "half a line, no newline", Encoding.UTF8.GetBytes("{\"seq\":3,\"at\":\"2026-11-25T04:") },
        { "zero-filled block", new byte[64] },
        { "zeros, then a newline", [.. new byte[30], (byte)'\n'] },
    };

    [Theory]
    [MemberData(nameof(TornTails))]
    public async Task A_torn_last_line_is_kept_aside_cut_and_recorded(string kind, byte[] tail)
    {
        var clock = new FakeTimeProvider();
        var path = Path.Combine(_dir, "audit.jsonl");
        var log = new AuditLog(path, clock);
        for (var i = 0; i < 3; i++)
        {
            await log.AppendAsync("svc", "test.step", new { i }, CancellationToken.None);
        }
        var whole = await File.ReadAllBytesAsync(path);
        await using (var append = new FileStream(path, FileMode.Append))
        {
            await append.WriteAsync(tail);
        }

        // Before start-up recovers it, a reader is told which line is bad and what to do; nothing is changed.
        var unreadable = await Assert.ThrowsAsync<InvalidDataException>(() => new AuditLog(path, clock).ReadAllAsync(CancellationToken.None));
        Assert.Contains("line 4 is not an audit entry", unreadable.Message, StringComparison.Ordinal);
        Assert.Contains("Keep a copy", unreadable.Message, StringComparison.Ordinal);

        var restarted = new AuditLog(path, clock);
        var torn = await restarted.RecoverTornTailAsync(CancellationToken.None);

        Assert.NotNull(torn);
        Assert.Equal(2, torn.AfterSequence);
        Assert.Equal(tail.Length, torn.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(tail)), torn.Sha256);
        Assert.Equal(tail, await File.ReadAllBytesAsync(torn.SavedAs));
        var after = await File.ReadAllBytesAsync(path);
        Assert.Equal(whole, after[..whole.Length]); // the acknowledged entries are untouched
        var entries = await restarted.ReadAllAsync(CancellationToken.None);
        Assert.Equal(4, entries.Count);
        var cut = entries[^1];
        Assert.Equal(AuditLog.TornTailAction, cut.Action);
        Assert.Equal(3, cut.Sequence);
        Assert.Equal(torn.Sha256, cut.Details!.Value.GetProperty("sha256").GetString());
        Assert.Equal(tail.Length, cut.Details.Value.GetProperty("bytes").GetInt32());
        Assert.Equal(2, cut.Details.Value.GetProperty("afterSequence").GetInt32());

        var next = await new AuditLog(path, clock).AppendAsync("svc", "test.step", new { i = 3 }, CancellationToken.None);
        Assert.Equal(4, next.Sequence);
        var verified = await new AuditLog(path, clock).VerifyAsync(CancellationToken.None);
        Assert.True(verified.IsIntact, $"{kind}: {verified.Problem}");
        Assert.Equal(5, verified.Entries);
    }

    [Theory]
    [InlineData("\n", "")]
    [InlineData("\n", "{\"seq\":1,\"at\"")]
    [InlineData("\n\n", "\0\0\0\n")]
    public async Task Blank_lines_at_the_end_go_with_the_torn_tail_so_the_next_entry_follows_the_last_whole_one(string blank, string torn)
    {
        var clock = new FakeTimeProvider();
        var path = Path.Combine(_dir, "audit.jsonl");
        await new AuditLog(path, clock).AppendAsync("svc", "one", null, CancellationToken.None);
        await File.AppendAllTextAsync(path, blank + torn);

        var cut = await new AuditLog(path, clock).RecoverTornTailAsync(CancellationToken.None);
        await new AuditLog(path, clock).AppendAsync("svc", "two", null, CancellationToken.None);

        Assert.NotNull(cut);
        Assert.Equal(0, cut.AfterSequence);
        Assert.Equal(Encoding.UTF8.GetByteCount(blank + torn), cut.Bytes);
        var verified = await new AuditLog(path, clock).VerifyAsync(CancellationToken.None);
        Assert.True(verified.IsIntact, verified.Problem);
        Assert.Equal(["one", AuditLog.TornTailAction, "two"], (await new AuditLog(path, clock).ReadAllAsync(CancellationToken.None)).Select(e => e.Action));
    }

    [Fact]
    public async Task An_append_after_a_crash_cuts_the_torn_line_itself_rather_than_gluing_onto_it()
    {
        var clock = new FakeTimeProvider();
        var path = Path.Combine(_dir, "audit.jsonl");
        await new AuditLog(path, clock).AppendAsync("svc", "one", null, CancellationToken.None);
        await File.AppendAllTextAsync(path, "{\"seq\":1,\"at\"");

        var entry = await new AuditLog(path, clock).AppendAsync("svc", "two", null, CancellationToken.None);

        Assert.Equal(2, entry.Sequence); // 1 is the record of the cut
        var entries = await new AuditLog(path, clock).ReadAllAsync(CancellationToken.None);
        Assert.Equal(["one", AuditLog.TornTailAction, "two"], entries.Select(e => e.Action));
        Assert.True((await new AuditLog(path, clock).VerifyAsync(CancellationToken.None)).IsIntact);
    }

    [Fact]
    public async Task A_whole_log_and_a_damaged_earlier_line_are_left_as_they_are()
    {
        var clock = new FakeTimeProvider();
        var path = Path.Combine(_dir, "audit.jsonl");
        var log = new AuditLog(path, clock);
        for (var i = 0; i < 3; i++)
        {
            await log.AppendAsync("svc", "test.step", new { i }, CancellationToken.None);
        }
        Assert.Null(await new AuditLog(path, clock).RecoverTornTailAsync(CancellationToken.None));

        // Damage before the last line is not a crash's doing: nothing is cut, and verification still names it.
        var lines = await File.ReadAllLinesAsync(path);
        lines[1] = "not an entry";
        await File.WriteAllLinesAsync(path, lines);
        var before = await File.ReadAllBytesAsync(path);
        Assert.Null(await new AuditLog(path, clock).RecoverTornTailAsync(CancellationToken.None));
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.False(Directory.Exists(Path.Combine(_dir, "torn")));
        var verified = await new AuditLog(path, clock).VerifyAsync(CancellationToken.None);
        Assert.Equal(2, verified.FirstBadLine);

        // A whole last line that no longer parses, with no zero bytes (an edit): not cut, and not healed.
        var whole = await File.ReadAllBytesAsync(path);
        await File.AppendAllTextAsync(path, "{\"seq\":3,\"edited\":true}\n");
        before = await File.ReadAllBytesAsync(path);
        var edited = await Assert.ThrowsAsync<InvalidDataException>(() => new AuditLog(path, clock).RecoverTornTailAsync(CancellationToken.None));
        Assert.Contains("not what an interrupted append leaves", edited.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        await File.WriteAllBytesAsync(path, whole);

        // Two bad lines at the end: not a crash either. Appending is refused with what to do, and nothing is cut.
        await File.AppendAllTextAsync(path, "also not an entry\n{\"seq\"");
        before = await File.ReadAllBytesAsync(path);
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => new AuditLog(path, clock).AppendAsync("svc", "x", null, CancellationToken.None));
        Assert.Contains("which a crash cannot cause", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }
}
