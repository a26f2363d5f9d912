using Acquisition.Core.Hardware;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Cases;

namespace Acquisition.Station.Web;

/// <summary>
/// Adapts the workflow's <see cref="CaptureSequence"/> (the one the physical button drives) to the page: Capture runs
/// it for the current case as the signed-in operator, Abort calls its Abort with the operator named in the reason.
/// Progress, the outcome and the package reach the page through the sequence's own events and packages/.
/// </summary>
public sealed class SequenceTechnicianCapture(IServiceProvider services, CaptureProgressTracker tracker, ILogger<SequenceTechnicianCapture> log)
    : ITechnicianCapture
{
    private readonly Lock _gate = new();
    private Task _running = Task.CompletedTask;

    public bool IsAvailable => services.GetService<ICamera>() is not null;

    public async Task StartAsync(string operatorId, CancellationToken cancellationToken)
    {
        var sequence = services.GetRequiredService<CaptureSequence>();
        var current = await services.GetRequiredService<CaseContextStore>().GetAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("No case is set.");
        lock (_gate)
        {
            if (!_running.IsCompleted || sequence.IsRunning)
            {
                throw new InvalidOperationException("A capture is already running.");
            }
            // The capture outlives the request that started it; the station's own stop aborts it through the sequence.
            _running = Task.Run(() => RunAsync(sequence, current, operatorId), CancellationToken.None);
        }
    }

    private async Task RunAsync(CaptureSequence sequence, Acquisition.Core.Domain.CaseContext current, string operatorId)
    {
        try
        {
            // The outcome reaches the page through the sequence's Finished event (as for the physical button).
            await sequence.RunAsync(current, "web:" + operatorId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or HardwareFaultException or OperationCanceledException)
        {
            log.LogWarning(ex, "Capture started from the technician page failed");
            tracker.PublishFailure(ex.Message);
        }
    }

    public Task AbortAsync(string operatorId, CancellationToken cancellationToken)
    {
        services.GetService<CaptureSequence>()?.Abort($"aborted by operator {operatorId} on the technician page");
        return Task.CompletedTask;
    }
}
