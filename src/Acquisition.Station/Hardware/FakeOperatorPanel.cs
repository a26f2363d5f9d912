using Acquisition.Core.Hardware;

namespace Acquisition.Station.Hardware;

/// <summary>An in-memory operator panel for the "fake" profile: door closed, no casing sensor.</summary>
public sealed class FakeOperatorPanel : IOperatorPanel
{
    private volatile StatusIndicator _indicator = StatusIndicator.Off;
    private volatile bool _motors;

    // Never raised: nobody presses a fake button. Declared because the interface requires it.
#pragma warning disable CS0067
    public event EventHandler<PanelEvent>? EventRaised;
#pragma warning restore CS0067

    public bool DoorClosed => true;

    public bool? CasingPresent => null;

    public StatusIndicator Indicator => _indicator;

    public bool MotorsEnabled => _motors;

    public void ShowIndicator(StatusIndicator indicator) => _indicator = indicator;

    public void SetMotorsEnabled(bool enabled) => _motors = enabled;
}
