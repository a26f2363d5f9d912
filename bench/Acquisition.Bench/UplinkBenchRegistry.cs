using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Acquisition.Bench;

/// <summary>Debian's docker-registry (distribution 2.8.2) on a free loopback port, for the uplink benchmark.</summary>
internal sealed class UplinkBenchRegistry : IAsyncDisposable
{
    private readonly Process _process;

    private UplinkBenchRegistry(Process process, string root, int port)
    {
        _process = process;
        Root = root;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public string Root { get; }
    public Uri Url { get; }

    public static async Task<UplinkBenchRegistry> StartAsync(CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), "bench-registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }
        var config = Path.Combine(root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(root, "storage")}
            http:
              addr: 127.0.0.1:{port}
              secret: acquisition-bench-fixed-secret
            """, ct);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/bin/docker-registry", ["serve", config]) { RedirectStandardError = true, RedirectStandardOutput = true },
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        p.OutputDataReceived += (_, _) => { };
        p.Start();
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return new UplinkBenchRegistry(p, root, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
