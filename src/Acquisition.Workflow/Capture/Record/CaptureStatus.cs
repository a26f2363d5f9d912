namespace Acquisition.Workflow.Capture.Record;

/// <summary>How a capture ended. Only <see cref="Complete"/> is ever queued for upload as a complete capture.</summary>
public enum CaptureStatus
{
    /// <summary>Every region passed QC; the package is complete.</summary>
    Complete,

    /// <summary>A region failed QC after its retry, or a device or step failed; the partial package says why.</summary>
    Failed,

    /// <summary>Stopped by a long press or the door; the partial package is kept and marked.</summary>
    Aborted,

    /// <summary>A precondition was not met: nothing was captured and no package was written.</summary>
    Refused,
}
