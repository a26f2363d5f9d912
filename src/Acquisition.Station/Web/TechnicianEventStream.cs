using System.Text.Json;

namespace Acquisition.Station.Web;

/// <summary>
/// GET /api/tech/events: server-sent events (text/event-stream) carrying capture progress and serial barcode scans
/// to the page as they happen. The first event is the current progress, so a page opened mid-capture is up to date.
/// </summary>
public static class TechnicianEventStream
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task StreamAsync(HttpContext ctx, TechnicianEventHub hub, CaptureProgressTracker tracker, IHostApplicationLifetime lifetime)
    {
        // Ends with the browser or with the station, so an open page never holds up the shutdown.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, lifetime.ApplicationStopping);
        var ct = cts.Token;
        using var subscription = hub.Subscribe();
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-store";
        try
        {
            await WriteAsync(ctx.Response, new TechnicianEvent("progress", tracker.Current), ct).ConfigureAwait(false);
            await foreach (var e in subscription.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await WriteAsync(ctx.Response, e, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed or the station is stopping.
        }
    }

    private static async Task WriteAsync(HttpResponse response, TechnicianEvent e, CancellationToken ct)
    {
        var data = JsonSerializer.Serialize(e.Data, e.Data.GetType(), Json);
        await response.WriteAsync($"event: {e.Kind}\ndata: {data}\n\n", ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
    }
}
