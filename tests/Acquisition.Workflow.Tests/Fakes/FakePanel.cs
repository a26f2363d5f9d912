using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Tests.Fakes;

internal sealed class FakePanel : IOperatorPanel
{
    private readonly TimeProvider _time;

    public FakePanel(TimeProvider time)
    {
        _time = time;
    }

    public event EventHandler<PanelEvent>? EventRaised;

    public bool DoorClosed { get; set; } = true;
    public bool? CasingPresent { get; set; } = true;
    public StatusIndicator Indicator { get; private set; }
    public List<StatusIndicator> Indicators { get; } = [];
    public bool MotorsEnabled { get; private set; } = true;

    public void ShowIndicator(StatusIndicator indicator)
    {
        Indicator = indicator;
        Indicators.Add(indicator);
    }

    public void SetMotorsEnabled(bool enabled) => MotorsEnabled = enabled;

    public void Raise(PanelEventKind kind)
    {
        if (kind == PanelEventKind.DoorOpened)
        {
            DoorClosed = false;
        }
        EventRaised?.Invoke(this, new PanelEvent(kind, _time.GetUtcNow()));
    }
}
