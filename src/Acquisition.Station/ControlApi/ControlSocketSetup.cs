using System.Net.Sockets;
using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.ControlApi;

/// <summary>
/// Makes Kestrel listen only on the control socket, with peer credentials read on every connection.
/// Kestrel reads its options while the application is built, before the configuration is validated, so the path is
/// bound here from raw configuration without validators and nothing touches the filesystem until
/// <see cref="PrepareDirectory"/> runs at start.
/// </summary>
public sealed class ControlSocketSetup(IConfiguration configuration, ILogger<ControlSocketSetup> log) : IConfigureOptions<KestrelServerOptions>
{
    private readonly Lazy<string> _path = new(() => ResolveUnvalidated(configuration));

    public string SocketPath => _path.Value;

    public void Configure(KestrelServerOptions options)
    {
        options.ListenUnixSocket(SocketPath, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(ControlCaller.ReadPeerCredentials(log));
        });
        options.AddServerHeader = false;
    }

    /// <summary>Creates the socket's directory and removes a socket file a crash left behind (bind fails on it).</summary>
    public void PrepareDirectory()
    {
        var path = SocketPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            RemoveStaleSocket(path);
        }
    }

    private static string ResolveUnvalidated(IConfiguration configuration)
    {
        var station = new StationOptions();
        var api = new ControlApiOptions();
        try
        {
            configuration.GetSection(StationOptions.Section).Bind(station);
            configuration.GetSection(ControlApiOptions.Section).Bind(api);
        }
        catch (InvalidOperationException)
        {
            // Bad values are reported by the configuration check, which runs before the server starts.
        }
        return ControlSocketPath.Resolve(api, station);
    }

    private void RemoveStaleSocket(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            // Nobody listens: a crash left the file behind.
            log.LogWarning("Removing stale control socket {Path}.", path);
            File.Delete(path);
            return;
        }
        // One process owns the hardware; a second daemon must not start beside it.
        throw new InvalidOperationException(
            $"Another station daemon is already listening on {path}; stop it first (systemctl stop acquisition-station).");
    }
}
