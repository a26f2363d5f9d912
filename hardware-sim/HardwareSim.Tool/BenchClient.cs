using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace HardwareSim.Tool;

/// <summary>Client of the bench-control socket: one JSON request, one JSON reply.</summary>
public sealed class BenchClient(string socketPath)
{
    public async Task<JsonObject> SendAsync(JsonObject request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new IOException(
                $"Cannot connect to the bench-control socket {socketPath}: {ex.Message}. Is the station's simulator profile or 'hardware-sim serve' running?", ex);
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await writer.WriteLineAsync(request.ToJsonString().AsMemory(), cancellationToken);
        var line = await reader.ReadLineAsync(cancellationToken)
            ?? throw new IOException($"The bench at {socketPath} closed the connection without a reply.");
        return JsonNode.Parse(line) as JsonObject ?? throw new IOException($"The bench replied with something that is not a JSON object: {line}");
    }
}
