using Acquisition.Workflow.Capture.Record;

namespace Acquisition.Workflow.Capture;

/// <summary>The result of one capture: its record (capture.json) and, unless it was refused, the sealed package.</summary>
public sealed record CaptureOutcome(CaptureRecord Record, string? PackagePath, Timing.TimingReport Timing)
{
    public CaptureStatus Status => Record.Status;
}
