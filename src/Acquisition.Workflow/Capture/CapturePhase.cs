namespace Acquisition.Workflow.Capture;

/// <summary>Where a running capture is, in the order a capture goes through them.</summary>
public enum CapturePhase
{
    Preconditions,
    LocatingPrimer,
    Autofocus,
    Stacking,
    Sealing,
    Finished,
}
