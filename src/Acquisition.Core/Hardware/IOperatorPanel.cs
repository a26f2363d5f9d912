namespace Acquisition.Core.Hardware;

/// <summary>The capture button, status LEDs, door interlock, casing sensor and motor-enable output.</summary>
public interface IOperatorPanel
{
    /// <summary>Debounced button presses (short = capture, long = abort), door and casing changes.</summary>
    event EventHandler<PanelEvent>? EventRaised;

    bool DoorClosed { get; }

    /// <summary>Null when the station has no casing-present sensor.</summary>
    bool? CasingPresent { get; }

    StatusIndicator Indicator { get; }

    void ShowIndicator(StatusIndicator indicator);

    void SetMotorsEnabled(bool enabled);

    bool MotorsEnabled { get; }
}
