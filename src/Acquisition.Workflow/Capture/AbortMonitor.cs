using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Capture;

/// <summary>
/// Watches the operator panel during a capture. A long press or the door opening cancels the capture's token with
/// the reason; on the door it also starts the feed hold and lights-off at once, from the event, so motion stops
/// without waiting for the sequence to notice. The door is wired both to GRBL's safety-door input and to the panel's
/// debounced switch; GRBL usually sees it first (no debounce), so a stage status in Door state counts as the door
/// opening too: whichever path reports it first, the capture ends as an abort by the door, never as a fault.
/// </summary>
internal sealed class AbortMonitor : IDisposable
{
    private readonly IOperatorPanel _panel;
    private readonly IStage _stage;
    private readonly IRingLight _lights;
    private readonly CancellationTokenSource _cts;
    private readonly Lock _gate = new();
    private Task _immediateSafeing = Task.CompletedTask;
    private bool _disposed;
    private volatile bool _watchingStageDoor;

    public AbortMonitor(IOperatorPanel panel, IStage stage, IRingLight lights, CancellationToken outer)
    {
        _panel = panel;
        _stage = stage;
        _lights = lights;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _panel.EventRaised += OnPanelEvent;
        _stage.StatusChanged += OnStageStatus;
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
        Cancel();
    }

    private void OnPanelEvent(object? sender, PanelEvent e)
    {
        switch (e.Kind)
        {
            case PanelEventKind.AbortRequested:
                Abort("aborted by the operator (long press)");
                break;
            case PanelEventKind.DoorOpened:
                OnDoorOpened();
                break;
        }
    }

    /// <summary>
    /// From now on GRBL's Door state counts as the door opening. Not before: a capture starts by resuming GRBL out of
    /// the Door state an earlier door abort left behind (the door being closed by then, as the panel says).
    /// </summary>
    public void WatchStageDoor() => _watchingStageDoor = true;

    private void OnStageStatus(object? sender, StageStatus status)
    {
        if (_watchingStageDoor && status.State == StageMotionState.Door && !DoorOpened)
        {
            // Off the driver's status path: cancelling runs the capture's callbacks, which may call into the driver.
            _ = Task.Run(OnDoorOpened);
        }
    }

    /// <summary>
    /// Treats the door as opened when either of its inputs says so now (GRBL's last status in Door state, or the
    /// panel's switch): for a device fault caught before either event reached the monitor. Returns whether it did.
    /// </summary>
    public bool RecheckDoor()
    {
        if (DoorOpened)
        {
            return true;
        }
        if ((_watchingStageDoor && _stage.Status.State == StageMotionState.Door) || !_panel.DoorClosed)
        {
            OnDoorOpened();
            return true;
        }
        return false;
    }

    private void OnDoorOpened()
    {
        lock (_gate)
        {
            if (DoorOpened || _disposed)
            {
                return;
            }
            DoorOpened = true;
            // The door overrides an operator abort's wording only if nothing was recorded yet.
            Reason ??= "the door was opened during the capture";
            _immediateSafeing = SafeNowAsync();
        }
        Cancel();
    }

    private void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // An input reported the door after the capture had ended: nothing is left to cancel.
        }
    }

    private async Task SafeNowAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // Both are attempted even if one fails: a stuck stage must not leave the lights on. Each is started on its own,
        // so a driver that throws before returning a task (a serial port that is gone) cannot skip the other.
        var hold = Start(() => _stage.FeedHoldAsync(timeout.Token));
        var off = Start(() => _lights.AllOffAsync(timeout.Token));
        await Task.WhenAll(hold, off).ConfigureAwait(false);

        static Task Start(Func<Task> action)
        {
            try
            {
                return action();
            }
            catch (Exception ex)
            {
                return Task.FromException(ex);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        _panel.EventRaised -= OnPanelEvent;
        _stage.StatusChanged -= OnStageStatus;
        _cts.Dispose();
    }
}
