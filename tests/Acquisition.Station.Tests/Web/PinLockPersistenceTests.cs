using Acquisition.Core.Storage;
using Acquisition.Station.Web;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Station.Tests.Web;

/// <summary>
/// A PIN lock outlives the page services: each "restart" here is a new <see cref="SignInThrottle"/> and
/// <see cref="PinLockStore"/> over the same data directory, as after a daemon restart, on a fake clock.
/// </summary>
public sealed class PinLockPersistenceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly DataDirectory _data = new DataDirectory(Path.Combine(Path.GetTempPath(), "pinlock-" + Guid.NewGuid().ToString("N"))).EnsureCreated();

    private string LockDirectory => Path.Combine(_data.Root, "web", "pin-locks");

    private SignInThrottle Start() =>
        new(Options.Create(new WebOptions { PinMaxAttempts = 3, PinLockout = TimeSpan.FromMinutes(15) }), _time,
            new PinLockStore(LockDirectory, new DurableFileWriter(_data)));

    public void Dispose() => Directory.Delete(_data.Root, recursive: true);

    [Fact]
    public async Task A_lock_survives_a_restart_of_the_page_services_and_ends_on_time()
    {
        var before = Start();
        await before.FailedAsync("tech1", CancellationToken.None);
        await before.FailedAsync("tech1", CancellationToken.None);
        var until = await before.FailedAsync("tech1", CancellationToken.None);
        Assert.NotNull(until);
        var file = Assert.Single(Directory.GetFiles(LockDirectory));
        Assert.DoesNotContain("tech1", Path.GetFileName(file), StringComparison.OrdinalIgnoreCase); // the name does not reveal the id

        _time.Advance(TimeSpan.FromMinutes(5));
        var restarted = Start();
        Assert.Equal(until, restarted.LockedUntil(" TECH1 "));
        Assert.Null(restarted.LockedUntil("tech2"));

        // Expired on the station's clock: the next start has no lock and the file is gone.
        _time.Advance(TimeSpan.FromMinutes(10));
        var later = Start();
        Assert.Null(later.LockedUntil("tech1"));
        Assert.Empty(Directory.GetFiles(LockDirectory));
        // The count starts afresh after the lock.
        Assert.Null(await later.FailedAsync("tech1", CancellationToken.None));
    }

    [Fact]
    public async Task Failures_below_the_limit_write_nothing_and_an_unreadable_lock_file_is_ignored()
    {
        var throttle = Start();
        await throttle.FailedAsync("tech2", CancellationToken.None);
        Assert.False(Directory.Exists(LockDirectory) && Directory.GetFiles(LockDirectory).Length > 0);

        Directory.CreateDirectory(LockDirectory);
        await File.WriteAllTextAsync(Path.Combine(LockDirectory, "garbage.json"), "{not json", CancellationToken.None);
        await throttle.FailedAsync("tech2", CancellationToken.None);
        Assert.NotNull(await throttle.FailedAsync("tech2", CancellationToken.None));
        var restarted = Start();
        Assert.NotNull(restarted.LockedUntil("tech2"));
    }
}
