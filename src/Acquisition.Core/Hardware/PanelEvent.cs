namespace Acquisition.Core.Hardware;

public enum PanelEventKind
{
    CapturePressed,
    AbortRequested,
    DoorOpened,
    DoorClosed,
    CasingInserted,
    CasingRemoved,
}

/// <summary>Something the operator did at the panel, stamped with the station's clock (UTC).</summary>
public sealed record PanelEvent(PanelEventKind Kind, DateTimeOffset At);
