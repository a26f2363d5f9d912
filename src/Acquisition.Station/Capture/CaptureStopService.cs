using Acquisition.Workflow.Capture;

namespace Acquisition.Station.Capture;

/// <summary>
/// On stop, aborts a capture started from the technician page or the control API ("the station is stopping") and
/// waits, within the host's shutdown time, for it to end. Those captures run on no request's token (they outlive the
/// request), so without this one would carry on under the worker's safe state: its next lighting would switch the
/// ring on again and its next move would be sent. The abort is sent when the stop begins (ApplicationStopping), not
/// when this service's turn comes: the web server stops first and would spend the shutdown time waiting for the
/// capture's own request. A capture from the button is stopped the same way by <see cref="CaptureButtonService"/>.
/// </summary>
public sealed class CaptureStopService(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<CaptureStopService> log) : IHostedService
{
    public const string Reason = "the station is stopping";

    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(() => AbortRunning());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync().ConfigureAwait(false);
        var sequence = AbortRunning();
        if (sequence is null)
        {
            return;
        }
        try
        {
            await sequence.WhenIdleAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            log.LogError("The aborted capture did not end within the shutdown time; the worker's safe state follows.");
        }
    }

    /// <summary>Aborts the running capture, if any; returns the sequence when one was running.</summary>
    private CaptureSequence? AbortRunning()
    {
        CaptureSequence? sequence;
        try
        {
            sequence = services.GetService<CaptureSequence>();
        }
        catch (InvalidOperationException)
        {
            return null; // the capture workflow never came up (its configuration was refused): nothing can be running
        }
        if (sequence is null || !sequence.Abort(Reason))
        {
            return null;
        }
        log.LogWarning("Stopping: the running capture was aborted; waiting for it to end (safe state, seal).");
        return sequence;
    }
}
