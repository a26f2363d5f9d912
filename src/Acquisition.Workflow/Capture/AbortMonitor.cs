using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Capture;

/// <summary>
/// Watches the operator panel during a capture. A long press or the door opening cancels the capture's token with
/// the reason; on the door it also starts the feed hold and lights-off at once, from the event, so motion stops
/// without waiting for the sequence to notice.
/// </summary>
internal sealed class AbortMonitor : IDisposable
{
    private readonly IOperatorPanel _panel;
    private readonly IStage _stage;
    private readonly IRingLight _lights;
    private readonly CancellationTokenSource _cts;
    private readonly Lock _gate = new();
    private Task _immediateSafeing = Task.CompletedTask;

    public AbortMonitor(IOperatorPanel panel, IStage stage, IRingLight lights, CancellationToken outer)
    {
        _panel = panel;
        _stage = stage;
        _lights = lights;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _panel.EventRaised += OnPanelEvent;
    }

    public CancellationToken Token => _cts.Token;

    public string? Reason { get; private set; }

    public bool DoorOpened { get; private set; }

    /// <summary>The feed hold and lights-off started when the door opened (completed when there was none).</summary>
    public Task ImmediateSafeing
    {
        get { lock (_gate) { return _immediateSafeing; } }
    }

    /// <summary>Aborts with <paramref name="reason"/> (also used by the control API's abort).</summary>
    public void Abort(string reason)
    {
        lock (_gate)
        {
            Reason ??= reason;
        }
        _cts.Cancel();
    }

    private void OnPanelEvent(object? sender, PanelEvent e)
    {
        switch (e.Kind)
        {
            case PanelEventKind.AbortRequested:
                Abort("aborted by the operator (long press)");
                break;
            case PanelEventKind.DoorOpened:
                lock (_gate)
                {
                    DoorOpened = true;
                    Reason ??= "the door was opened during the capture";
                    _immediateSafeing = SafeNowAsync();
                }
                _cts.Cancel();
                break;
        }
    }

    private async Task SafeNowAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // Both are attempted even if one fails: a stuck stage must not leave the lights on.
        var hold = _stage.FeedHoldAsync(timeout.Token);
        var off = _lights.AllOffAsync(timeout.Token);
        await Task.WhenAll(hold, off).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _panel.EventRaised -= OnPanelEvent;
        _cts.Dispose();
    }
}
