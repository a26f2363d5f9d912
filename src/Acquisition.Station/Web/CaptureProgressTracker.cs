using Acquisition.Core.Hardware;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;

namespace Acquisition.Station.Web;

/// <summary>
/// Follows the capture sequence's Progress and Finished events, whoever started the capture (page, physical button,
/// control API), keeps the page's view of it (per region and lighting, with the ETA) and publishes each change to the
/// page's event streams. Handlers run on the capture's own flow, so they only copy numbers and queue the event.
/// </summary>
public sealed class CaptureProgressTracker(IServiceProvider services, TechnicianEventHub hub) : IHostedService
{
    private readonly Lock _gate = new();
    private readonly List<RegionProgressView> _regions = [];
    private CaptureProgressView _current = CaptureProgressView.Idle;
    private CaptureSequence? _sequence;

    public CaptureProgressView Current
    {
        get { lock (_gate) { return _current; } }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ICamera>() is not null)
        {
            _sequence = services.GetRequiredService<CaptureSequence>();
            _sequence.Progress += OnProgress;
            _sequence.Finished += OnFinished;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_sequence is not null)
        {
            _sequence.Progress -= OnProgress;
            _sequence.Finished -= OnFinished;
        }
        return Task.CompletedTask;
    }

    /// <summary>Shown when a capture could not even start (station busy, no case, a device fault before the sequence ran).</summary>
    public void PublishFailure(string reason) =>
        Set(CaptureProgressView.Idle with { Phase = "failed", Reason = reason, Regions = [] });

    private void OnProgress(object? sender, CaptureProgress p)
    {
        if (p.Phase == CapturePhase.Finished)
        {
            return; // Finished carries the outcome and its reasons.
        }
        CaptureProgressView view;
        lock (_gate)
        {
            if (p.Phase == CapturePhase.Preconditions || !string.Equals(_current.CaptureId, p.CaptureId, StringComparison.Ordinal))
            {
                _regions.Clear();
            }
            if (p.Phase == CapturePhase.Stacking && p.Region is { } region)
            {
                for (var i = 0; i < _regions.Count; i++)
                {
                    if (i != p.RegionIndex && _regions[i].State == "stacking")
                    {
                        _regions[i] = _regions[i] with { State = "done" };
                    }
                }
                while (_regions.Count <= p.RegionIndex)
                {
                    _regions.Add(new RegionProgressView("", "waiting", 0, []));
                }
                var known = _regions[p.RegionIndex];
                var lightings = known.Region == region && known.Attempt == p.Attempt ? known.Lightings : [];
                if (p.Lighting is { } l && !lightings.Contains(l))
                {
                    lightings = [.. lightings, l];
                }
                _regions[p.RegionIndex] = new RegionProgressView(region, "stacking", p.Attempt, lightings);
            }
            else if (p.Phase == CapturePhase.Sealing)
            {
                for (var i = 0; i < _regions.Count; i++)
                {
                    _regions[i] = _regions[i] with { State = "done" };
                }
            }
            view = new CaptureProgressView("running", p.Phase.ToString(), p.CaptureId, p.Region, p.RegionIndex, p.RegionCount, p.Lighting,
                p.Attempt, p.Slice, p.SliceCount, p.FramesDone, p.FramesPlanned, p.Fraction, p.Elapsed.TotalSeconds,
                p.EstimatedRemaining?.TotalSeconds, [.. _regions], null);
            _current = view;
        }
        hub.Publish(new TechnicianEvent("progress", view));
    }

    private void OnFinished(object? sender, CaptureOutcome outcome)
    {
        var record = outcome.Record;
        var phase = record.Status switch
        {
            CaptureStatus.Complete => "done",
            CaptureStatus.Aborted => "aborted",
            CaptureStatus.Refused => "refused",
            _ => "failed",
        };
        CaptureProgressView view;
        lock (_gate)
        {
            // The record knows every region's outcome; the stream may have skipped some of the intermediate events.
            var regions = record.Regions.Select(r => new RegionProgressView(r.Region, r.Status == "passed" ? "done" : r.Status,
                r.Attempts.Count, _regions.FirstOrDefault(x => x.Region == r.Region)?.Lightings ?? [])).ToList();
            view = _current with
            {
                Phase = phase,
                Step = null,
                CaptureId = record.CaptureId,
                Fraction = phase == "done" ? 1 : _current.Fraction,
                RemainingSeconds = 0,
                Regions = regions,
                Reason = record.Reasons.Count == 0 ? null : string.Join("; ", record.Reasons),
            };
            _current = view;
        }
        hub.Publish(new TechnicianEvent("progress", view));
    }

    private void Set(CaptureProgressView view)
    {
        lock (_gate)
        {
            _current = view;
        }
        hub.Publish(new TechnicianEvent("progress", view));
    }
}
