using Acquisition.Core.Hardware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Hardware.Panel;

/// <summary>
/// Wires the door interlock to the safe state: when the door opens, the stage is feed-held and the lights go off.
/// GRBL's own safety-door input holds the motion as well; this is the station-side second channel and the one that
/// switches the light. It is always sent: at rest GRBL 1.1 goes to Hold:0 (as its own door input puts it in Door),
/// so whoever moves next resumes it first (HeldStage.ResumeIfHeldAsync).
/// </summary>
public sealed class SafetyInterlock : IDisposable
{
    private readonly IOperatorPanel _panel;
    private readonly IStage _stage;
    private readonly IRingLight _light;
    private readonly ILogger _log;

    public SafetyInterlock(IOperatorPanel panel, IStage stage, IRingLight light, ILogger<SafetyInterlock>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(light);
        _panel = panel;
        _stage = stage;
        _light = light;
        _log = (ILogger?)logger ?? NullLogger.Instance;
        _panel.EventRaised += OnPanelEvent;
    }

    /// <summary>Raised after the safe state was applied (with the fault, if applying part of it failed).</summary>
    public event EventHandler<Exception?>? Tripped;

    private void OnPanelEvent(object? sender, PanelEvent e)
    {
        if (e.Kind == PanelEventKind.DoorOpened)
        {
            _ = TripAsync();
        }
    }

    /// <summary>Applies the safe state now; both parts are attempted even if one fails.</summary>
    public async Task TripAsync()
    {
        Exception? failure = null;
        try
        {
            await _stage.FeedHoldAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            _log.LogError(ex, "Door opened: the feed hold could not be sent");
        }
        try
        {
            await _light.AllOffAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure ??= ex;
            _log.LogError(ex, "Door opened: the lights could not be switched off");
        }
        _log.LogWarning("Door opened: motion held and lights off");
        Tripped?.Invoke(this, failure);
    }

    public void Dispose() => _panel.EventRaised -= OnPanelEvent;
}
