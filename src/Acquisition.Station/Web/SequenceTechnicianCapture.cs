using Acquisition.Core.Hardware;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Cases;

namespace Acquisition.Station.Web;

/// <summary>
/// Adapts the workflow's <see cref="CaptureSequence"/> (the one the physical button drives) to the page. The sequence
/// publishes no per-region progress yet, so progress is "running" without region, lighting or ETA; the day's history
/// is what this process has seen (not rebuilt from the packages after a restart).
/// </summary>
public sealed class SequenceTechnicianCapture(IServiceProvider services, ILogger<SequenceTechnicianCapture> log)
    : ITechnicianCapture
{
    private readonly Lock _gate = new();
    private readonly List<CaptureResultView> _finished = [];
    private CaptureProgressView _progress = new("idle", null, null, null, 0, null, null);
    private Task _running = Task.CompletedTask;

    public bool IsAvailable => services.GetService<ICamera>() is not null && services.GetService<CaptureSequence>() is not null;

    public CaptureProgressView Progress
    {
        get { lock (_gate) { return _progress; } }
    }

    public async Task<string> StartAsync(string operatorId, CancellationToken cancellationToken)
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
            _progress = new("running", null, null, null, 0, null, null);
            // The capture outlives the request that started it; the station's own stop aborts it through the sequence.
            _running = Task.Run(() => RunAsync(sequence, current, operatorId), CancellationToken.None);
        }
        return "";
    }

    private async Task RunAsync(CaptureSequence sequence, Acquisition.Core.Domain.CaseContext current, string operatorId)
    {
        try
        {
            var outcome = await sequence.RunAsync(current, "web:" + operatorId, CancellationToken.None).ConfigureAwait(false);
            var record = outcome.Record;
            var phase = record.Status switch
            {
                Acquisition.Workflow.Capture.Record.CaptureStatus.Complete => "done",
                Acquisition.Workflow.Capture.Record.CaptureStatus.Failed => "failed",
                _ => "aborted",
            };
            var regions = record.Regions.Select(r =>
            {
                var last = r.Attempts.LastOrDefault();
                return new RegionResultView(r.Region, last?.Passed ?? false, last?.Reasons ?? [], null, null,
                    last?.ZFromMicrometres ?? 0, last?.ZToMicrometres ?? 0);
            }).ToList();
            lock (_gate)
            {
                _finished.Insert(0, new CaptureResultView(record.CaptureId, record.StartedAt, record.Case.CaseNumber,
                    record.Status.ToString(), regions, null, null));
                _progress = new(phase, record.CaptureId, null, null, 1, null, string.Join("; ", record.Reasons));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or HardwareFaultException or OperationCanceledException)
        {
            log.LogWarning(ex, "Capture started from the technician page failed");
            lock (_gate)
            {
                _progress = new("failed", null, null, null, 0, null, ex.Message);
            }
        }
    }

    public Task AbortAsync(string operatorId, CancellationToken cancellationToken)
    {
        services.GetService<CaptureSequence>()?.Abort($"aborted by operator {operatorId} on the technician page");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CaptureResultView>> ListAsync(DateOnly utcDay, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CaptureResultView>>(
                _finished.Where(f => DateOnly.FromDateTime(f.StartedAt.UtcDateTime) == utcDay).ToList());
        }
    }
}
