using System.Collections.Concurrent;
using System.Diagnostics;

namespace Acquisition.Station.Tests;

/// <summary>The real built station binary as a child process, with its output collected and awaitable.</summary>
internal sealed partial class StationProcess : IDisposable
{
    private const int SIGTERM = 15;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Failure guard for real process I/O on a loaded machine; never a measure of anything.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];
    private readonly Lock _gate = new();

    private StationProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string StandardOutput => string.Join("\n", _stdout);

    public string StandardError => string.Join("\n", _stderr);

    public static StationProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(RepositoryPaths.StationExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        // The test runner's own ACQ_ variables must not leak into the station under test.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ACQ_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var station = new StationProcess(process);
        process.OutputDataReceived += (_, e) => station.OnLine(e.Data, station._stdout);
        process.ErrorDataReceived += (_, e) => station.OnLine(e.Data, station._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return station;
    }

    /// <summary>Completes with the first output line (stdout or stderr) that contains <paramref name="text"/>.</summary>
    public Task<string> WaitForLineAsync(string text)
    {
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _stdout.Concat(_stderr).FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }
            _waiters.Add((l => l.Contains(text, StringComparison.Ordinal), tcs));
        }
        return tcs.Task.WaitAsync(Guard);
    }

    /// <summary>SIGTERM, as systemd stops a service.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, SIGTERM) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        // The parameterless wait drains the redirected output after exit.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    private void OnLine(string? line, ConcurrentQueue<string> into)
    {
        if (line is null)
        {
            return;
        }
        List<TaskCompletionSource<string>> done = [];
        lock (_gate)
        {
            into.Enqueue(line);
            foreach (var w in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(w);
                done.Add(w.Done);
            }
        }
        foreach (var d in done)
        {
            d.TrySetResult(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
