namespace Acquisition.Uplink.Tests;

/// <summary>
/// One real registry process and one station data directory per test class, both torn down after it. Classes that
/// need a configured registry (auth, TLS, no fixed secret) override <see cref="StartRegistryAsync"/>; classes with a
/// proxy in front extend <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/>.
/// </summary>
public abstract class RegistryTestBase : IAsyncLifetime
{
    protected TestStation Station { get; } = new();

    protected RegistryProcess Registry { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Registry = await StartRegistryAsync();

    public virtual async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Station.Dispose();
    }

    /// <summary>The registry under test; by default distribution with a fixed secret and no auth.</summary>
    protected virtual Task<RegistryProcess> StartRegistryAsync() => RegistryProcess.StartNewAsync();

    /// <summary>A one-line credentials file readable by its owner only, as the station requires of secrets.</summary>
    protected string WriteSecretFile(string name, string line)
    {
        var path = Path.Combine(Station.Root, name);
        File.WriteAllText(path, line + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
