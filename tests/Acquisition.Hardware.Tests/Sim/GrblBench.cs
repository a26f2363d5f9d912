using Acquisition.Hardware.Grbl;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.Hardware.Tests.Sim;

/// <summary>
/// The simulator's GRBL controller on a pseudo-terminal, reached through a symlink (as /dev/stage is on a station)
/// so that it can be unplugged and plugged back in under the same name, and the real GrblStage on a SerialPort.
/// Everything runs on the simulator's virtual clock.
/// </summary>
internal sealed class GrblBench : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly GrblOptions _grblOptions;
    private readonly string _dir;

    private GrblBench(SimulationClock clock, GrblOptions grblOptions, GrblStageOptions stageOptions, Acquisition.Core.Hardware.IOperatorPanel? panel, Xunit.Abstractions.ITestOutputHelper? output)
    {
        Clock = clock;
        _grblOptions = grblOptions;
        _dir = Directory.CreateTempSubdirectory("grbl-bench-").FullName;
        PortLink = Path.Combine(_dir, "stage");
        Host = new GrblPtyHost(clock, grblOptions);
        File.CreateSymbolicLink(PortLink, Host.PortPath);
        stageOptions.PortName = PortLink;
        Options = stageOptions;
        // One clock: the current pty host watches the stage's writes and reader, so that the virtual clock cannot jump
        // from before a request is written until its reply has been routed to its waiter.
        Stage = new GrblStage(stageOptions, clock, output is null ? null : new TestLogger<GrblStage>(output, clock), panel)
        {
            ReaderObserver = new CurrentHost(this),
        };
    }

    public SimulationClock Clock { get; }

    public GrblPtyHost Host { get; private set; }

    public GrblController Controller => Host.Controller;

    public string PortLink { get; }

    public GrblStageOptions Options { get; }

    public GrblStage Stage { get; }

    public static GrblStageOptions DefaultStageOptions() => new()
    {
        SettingsFile = Path.Combine(RepoRoot.Path, "firmware-config", "grbl-settings.txt"),
        IdlePollInterval = TimeSpan.Zero,
        SettleTime = TimeSpan.FromMilliseconds(20),
        MotionPollInterval = TimeSpan.FromMilliseconds(250),
        ReconnectInterval = TimeSpan.FromMilliseconds(200),
    };

    public static async Task<GrblBench> StartAsync(
        Action<GrblStageOptions>? configure = null,
        GrblOptions? grbl = null,
        bool home = true,
        Acquisition.Core.Hardware.IOperatorPanel? panel = null,
        ClockMode mode = ClockMode.Virtual,
        Xunit.Abstractions.ITestOutputHelper? output = null)
    {
        // A wider quiescence window than the default: the machine is loaded by parallel builds, and the clock cannot
        // see the driver's own work between reading a reply and acting on it.
        var clock = new SimulationClock(new SimulationClockOptions { Mode = mode, QuiescenceWindow = TimeSpan.FromMilliseconds(70) });
        var options = DefaultStageOptions();
        configure?.Invoke(options);
        var bench = new GrblBench(clock, grbl ?? new GrblOptions(), options, panel, output);
        try
        {
            await bench.Stage.ConnectAsync(CancellationToken.None).WaitAsync(Guard);
            if (home)
            {
                await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
            }
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    /// <summary>The USB cable is pulled: the pty closes and /dev/stage disappears.</summary>
    public void Unplug()
    {
        File.Delete(PortLink);
        Host.Dispose();
    }

    /// <summary>The controller comes back (powered up afresh, as after a USB re-plug) under the same name.</summary>
    public void PlugBackIn()
    {
        Host = new GrblPtyHost(Clock, _grblOptions);
        File.CreateSymbolicLink(PortLink, Host.PortPath);
    }

    public async ValueTask DisposeAsync()
    {
        await Stage.DisposeAsync();
        Host.Dispose();
        Clock.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // temp dir; harmless
        }
    }

    /// <summary>Forwards to whichever host is plugged in now (a re-plug makes a new one behind the same link).</summary>
    private sealed class CurrentHost(GrblBench bench) : ISerialReaderObserver
    {
        public ISerialReaderSession Opened() => bench.Host.Opened();
    }
}
