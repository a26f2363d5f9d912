using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// A raw-socket HTTP/1.1 stub on loopback in front of a real registry: each request goes to the interceptor first,
/// which may answer it itself (errors, truncated or stalled answers) or let it through to the registry, optionally
/// changing the answer. Locations are rewritten so the client keeps talking to the stub.
/// </summary>
public sealed class RegistryProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly HttpClient _forward = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly List<StubRequest> _log = [];

    public RegistryProxy(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accept = AcceptLoopAsync();
    }

    public Uri Url { get; }

    /// <summary>Return a reply to answer, or null to forward to the registry.</summary>
    public Func<StubRequest, StubReply?> Intercept { get; set; } = _ => null;

    /// <summary>
    /// Makes the registry behind behave like one that keeps upload state on the server (as the OCI spec allows and
    /// Zot does): each request to an upload session is sent with the session's latest signed <c>_state</c> the
    /// registry handed out, whatever state the client holds. With the stub's store-and-forward, a PATCH whose client
    /// died mid-body never reaches the registry. Distribution alone cancels a session addressed with a stale state.
    /// </summary>
    public bool TrackUploadState { get; set; }

    private readonly Dictionary<string, string> _latestUploadState = new(StringComparer.Ordinal);

    /// <summary>Changes a forwarded answer's body (e.g. a manifest with other bytes).</summary>
    public Func<StubRequest, byte[], byte[]> MutateBody { get; set; } = (_, b) => b;

    public IReadOnlyList<StubRequest> Requests
    {
        get
        {
            lock (_log)
            {
                return _log.ToArray();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }
                lock (_log)
                {
                    _log.Add(request);
                }
                var reply = Intercept(request) ?? await ForwardAsync(request);
                await WriteReplyAsync(stream, reply);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (its timeout, or a truncated answer on purpose).
            }
        }
    }

    private static async Task<StubRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var l in lines.Skip(1))
        {
            var colon = l.IndexOf(':');
            headers[l[..colon].Trim()] = l[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl, CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return new StubRequest(parts[0], parts[1], headers, body);
    }

    private static string? UploadSession(string pathAndQuery)
    {
        var path = pathAndQuery.Split('?')[0];
        var at = path.IndexOf("/blobs/uploads/", StringComparison.Ordinal);
        return at < 0 || path.Length == at + "/blobs/uploads/".Length ? null : path[(at + "/blobs/uploads/".Length)..];
    }

    private string LatestState(string pathAndQuery)
    {
        if (!TrackUploadState || UploadSession(pathAndQuery) is not { } session)
        {
            return pathAndQuery;
        }
        lock (_latestUploadState)
        {
            if (!_latestUploadState.TryGetValue(session, out var latest))
            {
                return pathAndQuery;
            }
            // Keep the client's other parameters (digest=...) and replace only _state.
            var query = pathAndQuery.Contains('?', StringComparison.Ordinal) ? pathAndQuery[(pathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";
            var others = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("_state=", StringComparison.Ordinal));
            var latestQuery = latest[(latest.IndexOf('?', StringComparison.Ordinal) + 1)..];
            return latest.Split('?')[0] + "?" + string.Join('&', others.Prepend(latestQuery));
        }
    }

    private void RememberState(HttpResponseMessage res)
    {
        if (TrackUploadState && res.Headers.Location is { } location)
        {
            var pathAndQuery = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
            if (UploadSession(pathAndQuery) is { } session && pathAndQuery.Contains("_state=", StringComparison.Ordinal))
            {
                lock (_latestUploadState)
                {
                    _latestUploadState[session] = pathAndQuery;
                }
            }
        }
    }

    private async Task<StubReply> ForwardAsync(StubRequest request)
    {
        using var msg = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_upstream, LatestState(request.PathAndQuery)));
        if (request.Method is "POST" or "PUT" or "PATCH")
        {
            msg.Content = new ByteArrayContent(request.Body);
        }
        foreach (var (k, v) in request.Headers)
        {
            if (k.Equals("Host", StringComparison.OrdinalIgnoreCase) || k.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || k.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!msg.Headers.TryAddWithoutValidation(k, v))
            {
                msg.Content?.Headers.TryAddWithoutValidation(k, v);
            }
        }
        using var res = await _forward.SendAsync(msg);
        RememberState(res);
        var body = await res.Content.ReadAsByteArrayAsync();
        body = MutateBody(request, body);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in res.Headers.Concat(res.Content.Headers))
        {
            if (h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            headers[h.Key] = string.Join(", ", h.Value).Replace(_upstream.GetLeftPart(UriPartial.Authority), Url.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal);
        }
        return new StubReply((int)res.StatusCode, headers, body);
    }

    private async Task WriteReplyAsync(NetworkStream stream, StubReply reply)
    {
        var body = reply.Body ?? [];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {reply.Status} Stub\r\n");
        foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>())
        {
            sb.Append(CultureInfo.InvariantCulture, $"{k}: {v}\r\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"Content-Length: {reply.DeclaredLength ?? body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
        if (reply.Stall)
        {
            await stream.WriteAsync(body.AsMemory(0, Math.Min(body.Length, 1)));
            await stream.FlushAsync();
            // Slow-loris: hold the connection open, sending nothing more, until the client times out or the stub stops.
            var buffer = new byte[1];
            _ = await stream.ReadAsync(buffer, _stop.Token);
            return;
        }
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }
        _forward.Dispose();
        _stop.Dispose();
    }
}
