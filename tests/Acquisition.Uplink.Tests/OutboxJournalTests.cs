using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Uplink.Tests;

/// <summary>The outbox database is in WAL mode on disk (issue 7: "Microsoft.Data.Sqlite in WAL mode").</summary>
public sealed class OutboxJournalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "journal-" + Guid.NewGuid().ToString("N"));

    public OutboxJournalTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void A_new_outbox_database_is_in_wal_mode_as_seen_by_another_connection()
    {
        var path = Path.Combine(_dir, "outbox.db");
        _ = new Outbox(path, [("national", DestinationRoute.All)], new FakeTimeProvider());

        // WAL is a property of the database file, so a fresh connection that sets nothing sees it.
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)cmd.ExecuteScalar());
    }
}
