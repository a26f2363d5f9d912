using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Acquisition.Station.ControlApi;

public static class ControlCaller
{
    /// <summary>
    /// Kestrel connection middleware: reads SO_PEERCRED once per accepted connection and stores it as a connection
    /// feature.
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> ReadPeerCredentials(ILogger log) => next => async connection =>
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is not null)
        {
            try
            {
                var feature = new PeerCredentialsFeature(PeerCredentials.Read(socket));
                connection.Features.Set<IPeerCredentialsFeature>(feature);
                // Requests see connection features through Kestrel's fallback; Items is the documented route too.
                connection.Items[typeof(IPeerCredentialsFeature)] = feature;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
            {
                log.LogWarning(ex, "Could not read the peer credentials of control connection {Id}.", connection.ConnectionId);
            }
        }
        await next(connection).ConfigureAwait(false);
    };

    /// <summary>
    /// HTTP middleware: copies the connection's peer credentials onto the request; a request without them is
    /// refused, because every control action must be attributable to an OS user.
    /// </summary>
    public static async Task RequirePeerCredentials(HttpContext context, RequestDelegate next)
    {
        var feature = context.Features.Get<IPeerCredentialsFeature>();
        if (feature is null
            && context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(typeof(IPeerCredentialsFeature), out var item) == true)
        {
            feature = item as IPeerCredentialsFeature;
        }
        if (feature is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new { error = "caller unknown: the control API answers only on its Unix socket" },
                context.RequestAborted).ConfigureAwait(false);
            return;
        }
        context.Features.Set(feature);
        await next(context).ConfigureAwait(false);
    }

    /// <summary>The OS user behind this request, for the audit log.</summary>
    public static PeerCredentials GetCaller(this HttpContext context) =>
        context.Features.Get<IPeerCredentialsFeature>()?.Credentials
        ?? throw new InvalidOperationException("No peer credentials on this request; is RequirePeerCredentials in the pipeline?");
}
