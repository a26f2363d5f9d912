using System.Collections.Concurrent;
using System.Diagnostics;

namespace Acquisition.Console.Tests;

/// <summary>
/// The real built station daemon (acquisition-station, copied next to the tests by the project reference) as a child
/// process in its simulator profile (firmware-config/station.sim.json: GRBL, GPIO and PCA9685 simulated in-process,
/// driven by the real drivers) with a temp data directory; ready when <c>acq status --json</c> over
/// its socket reports the station's own Ready state.
/// </summary>
public class StationDaemon : IAsyncLifetime
{
    /// <summary>Each try is a whole acq process start, so this bounds readiness at minutes on a loaded machine, never seconds.</summary>
    private const int ReadinessTries = 150;

    private readonly TempDir _temp = new();
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public string DataDirectory => _temp.Combine("data");

    /// <summary>With an empty ControlApi:SocketPath the station puts its socket under the data directory.</summary>
    public string SocketPath => _temp.Combine("data", "run", "control.sock");

    public string Output => string.Join("\n", _output);

    /// <summary>More command-line settings for the daemon (a derived fixture's configuration).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    internal Task<AcqResult> AcqAsync(params string[] args) => AcqProcess.RunAsync(["--socket", SocketPath, .. args]);

    /// <summary>Runs before the daemon starts, on its (not yet used) data directory: a derived fixture seeds it here.</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await BeforeStartAsync();
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "acquisition-station"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--config", Path.Combine(RepositoryRoot(), "firmware-config", "station.sim.json"),
            $"--Station:DataDirectory={DataDirectory}",
            "--Station:StationId=SIM-E2E",
            // Daemon fixtures run side by side; the technician page is not under test here, so let each pick a free port.
            "--Web:Port=0",
            .. ExtraArguments,
        ];
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ACQ_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        AcqResult? last = null;
        for (var i = 0; i < ReadinessTries; i++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The station exited with {_process.ExitCode} before it was ready:\n{Output}");
            }
            last = await AcqAsync("status", "--json");
            if (last.ExitCode == 0 && last.Json().GetProperty("state").GetString() == "Ready")
            {
                return;
            }
        }
        throw new TimeoutException($"The station was not Ready after {ReadinessTries} status polls; last: {last}\nstation output:\n{Output}");
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(cts.Token);
            }
            _process.Dispose();
        }
        _temp.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Acquisition.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find Acquisition.sln above " + AppContext.BaseDirectory);
    }
}
