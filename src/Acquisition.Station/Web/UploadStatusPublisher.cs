using Acquisition.Uplink;

namespace Acquisition.Station.Web;

/// <summary>
/// Sends the page an "upload" event whenever the outbox commits a change for a capture (queued, uploading, retry,
/// uploaded, rejected with its reason), so results and the day's history follow the upload as it happens instead of
/// at the page's next refresh. A station without an uplink sends none.
/// </summary>
public sealed class UploadStatusPublisher(IServiceProvider services, CaptureResults results, TechnicianEventHub hub, ILogger<UploadStatusPublisher> log)
    : IHostedService
{
    private Outbox? _outbox;

    /// <summary>Raised after an event went to the hub (tests await it).</summary>
    public event EventHandler<UploadStatusView>? Published;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _outbox = services.GetService<Outbox>();
        if (_outbox is not null)
        {
            _outbox.Enqueued += OnChanged;
            _outbox.DeliveryChanged += OnChanged;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_outbox is not null)
        {
            _outbox.Enqueued -= OnChanged;
            _outbox.DeliveryChanged -= OnChanged;
        }
        return Task.CompletedTask;
    }

    // Raised on the uplink's flow right after its commit: the read and the publish run apart from it, so the page
    // never slows an upload down.
    private void OnChanged(object? sender, string captureId) => _ = Task.Run(() => PublishAsync(captureId));

    private async Task PublishAsync(string captureId)
    {
        try
        {
            var (state, reason) = await results.UploadStateAsync(captureId, CancellationToken.None).ConfigureAwait(false);
            var view = new UploadStatusView(captureId, state, reason);
            hub.Publish(new TechnicianEvent("upload", view));
            Published?.Invoke(this, view);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
        {
            // The page still shows the state at its next refresh.
            log.LogWarning(ex, "Upload state of capture {CaptureId} could not be sent to the page", captureId);
        }
    }
}
