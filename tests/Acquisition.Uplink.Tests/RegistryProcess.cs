using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// A real CNCF distribution 2.8.2 (Debian's docker-registry) on a free loopback port with its own storage directory
/// and a fixed http.secret, so open upload URLs survive a restart. Readiness is its own "listening on" log line.
/// </summary>
public sealed class RegistryProcess : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly string _scheme;
    private Process? _process;

    /// <param name="httpExtra">Extra YAML lines under <c>http:</c> (indented 2 spaces), e.g. a tls section.</param>
    /// <param name="topLevelExtra">Extra top-level YAML sections (not indented), e.g. an auth section, given the port.</param>
    /// <param name="fixedSecret">False leaves http.secret out: distribution then makes up a random one at each start.</param>
    public RegistryProcess(string? storage = null, string? httpExtra = null, string scheme = "http", Func<int, string>? topLevelExtra = null, bool fixedSecret = true)
    {
        _scheme = scheme;
        Root = Path.Combine(Path.GetTempPath(), "registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Storage = storage ?? Path.Combine(Root, "storage");
        Port = FreePort();
        ConfigPath = Path.Combine(Root, "config.yml");
        File.WriteAllText(ConfigPath, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Storage}
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:{Port}
              {(fixedSecret ? "secret: acquisition-test-fixed-secret-0123456789" : "")}
            {httpExtra ?? ""}
            {topLevelExtra?.Invoke(Port) ?? ""}
            """);
    }

    public string Root { get; }
    public string Storage { get; }
    public int Port { get; }
    public string ConfigPath { get; }
    public Uri Url => new($"{_scheme}://127.0.0.1:{Port}");
    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RegistryProcess> StartNewAsync()
    {
        var r = new RegistryProcess();
        await r.StartAsync();
        return r;
    }

    public async Task StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: apt-get install docker-registry");
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        var psi = new ProcessStartInfo(Binary, ["serve", ConfigPath])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (log)
            {
                log.AppendLine(e.Data);
            }
            if (e.Data.Contains("listening on", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        p.ErrorDataReceived += onLine;
        p.OutputDataReceived += onLine;
        p.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("docker-registry exited during start: " + log));
        p.Start();
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        _process = p;
        await ready.Task.WaitAsync(Guard);
    }

    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync().WaitAsync(Guard);
        _process.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
