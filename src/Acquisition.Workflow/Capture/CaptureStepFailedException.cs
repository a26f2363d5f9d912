namespace Acquisition.Workflow.Capture;

/// <summary>A step of the sequence (primer location, autofocus, a stack) could not do its job; the message says why.</summary>
public sealed class CaptureStepFailedException : Exception
{
    public CaptureStepFailedException(string step, string reason, Exception? inner = null)
        : base($"{step}: {reason}", inner)
    {
        Step = step;
    }

    public string Step { get; }
}
