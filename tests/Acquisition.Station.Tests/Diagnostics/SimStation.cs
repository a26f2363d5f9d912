using Acquisition.Core.Station;
using Acquisition.Station.Hosting;
using Acquisition.Tests.Shared;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>
/// One in-process station on the sim profile (the real drivers over the simulated bench: GRBL on a pty, GPIO,
/// PCA9685, the simulated camera behind FreshFrameCamera), shared by a test class, with an HTTP client on its
/// control socket.
/// </summary>
public sealed class SimStation : IAsyncLifetime
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(120);

    private readonly TempDirectory _temp = new();

    public WebApplication App { get; private set; } = null!;

    public string SocketPath => _temp.Combine("data", "run", "control.sock");

    public string DataDirectory => _temp.Combine("data");

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public HttpClient CreateClient() => ControlSocketClient.Create(SocketPath, Guard);

    public async Task InitializeAsync()
    {
        var launch = StationLaunch.Parse(
        [
            "--config", RepositoryPaths.FirmwareConfig("station.sim.json"),
            $"--Station:DataDirectory={DataDirectory}",
            "--Station:Hardware=sim",
            "--Station:StationId=SIM-DIAG",
            "--Web:Port=0", // 8443 is shared with the parallel sim-profile process tests
        ]);
        App = StationHost.Build(launch);
        Assert.Empty(await StationHost.PrepareAsync(App, CancellationToken.None));
        await App.StartAsync();
        using var cts = new CancellationTokenSource(Guard);
        await App.Services.GetRequiredService<StationStateMachine>().WaitForAsync(StationState.Ready, cts.Token);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            _temp.Dispose();
        }
    }
}
