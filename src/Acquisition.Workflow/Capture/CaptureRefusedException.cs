namespace Acquisition.Workflow.Capture;

/// <summary>A precondition was not met; nothing was captured. The message says what and what to do.</summary>
public sealed class CaptureRefusedException : Exception
{
    public CaptureRefusedException(string reason, Exception? inner = null)
        : base(reason, inner)
    {
    }
}
