using Acquisition.Core.Hardware;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>Completes <see cref="Seen"/> at the panel's next event of one kind (debounced, so it comes after the bench's change).</summary>
internal sealed class PanelEventWaiter : IDisposable
{
    private readonly IOperatorPanel _panel;
    private readonly PanelEventKind _kind;
    private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PanelEventWaiter(IOperatorPanel panel, PanelEventKind kind)
    {
        _panel = panel;
        _kind = kind;
        panel.EventRaised += OnEvent;
    }

    public Task Seen => _seen.Task;

    public void Dispose() => _panel.EventRaised -= OnEvent;

    private void OnEvent(object? sender, PanelEvent e)
    {
        if (e.Kind == _kind)
        {
            _seen.TrySetResult();
        }
    }
}
