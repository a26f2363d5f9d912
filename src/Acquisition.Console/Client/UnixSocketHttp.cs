using System.Net.Sockets;

namespace Acquisition.ServiceConsole.Client;

/// <summary>An HttpClient whose every connection goes to one Unix domain socket, whatever the URL's host.</summary>
internal static class UnixSocketHttp
{
    /// <summary>The host name in request URLs; it only fills the Host header.</summary>
    public static readonly Uri BaseAddress = new("http://station.local/");

    public static HttpClient Create(string socketPath, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            // The station is on this machine: a proxy from the environment must never be used.
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = BaseAddress,
            // Long operations stream for minutes; short calls get their own deadline in StationClient.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }
}
