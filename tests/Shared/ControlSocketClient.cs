using System.Net.Sockets;

namespace Acquisition.Tests.Shared;

/// <summary>
/// An HttpClient whose connections all go to the station's control socket (a Unix domain socket), as the console
/// does: tests exercise the real socket, its permissions and SO_PEERCRED, not an in-memory server.
/// </summary>
internal static class ControlSocketClient
{
    public static HttpClient Create(string socketPath, TimeSpan timeout) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://station"),
        Timeout = timeout,
    };
}
