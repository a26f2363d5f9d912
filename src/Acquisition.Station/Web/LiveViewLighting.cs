using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>
/// Prepares the camera and lights the casing while someone watches live view: between captures the lights are in the
/// safe state (off), so the picture would be dark. Before each frame the camera gets Web:LiveViewExposure (a capture
/// leaves its last region's exposure set). Lit only while the station is Ready, the door is closed and a viewer is
/// taking frames; switched off when the door opens (the panel's debounced door input), when the last viewer leaves,
/// when no frame has been taken for Web:LiveViewLightIdle (a stalled or hidden page), and, before anything else can
/// happen, when the station leaves Ready (a capture takes the lights over): the state machine raises its change
/// synchronously, and that handler waits for any camera or lighting change of the live view in flight, so the live
/// view can never change the exposure or switch a light on after a capture set its own.
/// </summary>
public sealed class LiveViewLighting : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly StationStateMachine _state;
    private readonly IOptions<WebOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveViewLighting> _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ITimer _idle;
    private int _viewers;
    private bool _lit;
    private IOperatorPanel? _panel;
    private TimeSpan? _exposureApplied;

    public LiveViewLighting(IServiceProvider services, StationStateMachine state, IOptions<WebOptions> options, TimeProvider time, ILogger<LiveViewLighting> log)
    {
        _services = services;
        _state = state;
        _options = options;
        _time = time;
        _log = log;
        _idle = time.CreateTimer(_ => _ = OffAsync("no live-view frame taken for Web:LiveViewLightIdle"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        state.Changed += OnStateChanged;
    }

    /// <summary>True while the live view has the lights on.</summary>
    public bool IsLit => Volatile.Read(ref _lit);

    /// <summary>Raised after the live view switched its lighting off (tests await it instead of polling).</summary>
    public event EventHandler<string>? SwitchedOff;

    private IRingLight? Light => _services.GetService<IRingLight>();

    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _viewers++;
            // Subscribed on first use, not in the constructor: the panel is opened with the hardware at start.
            if (_panel is null && _services.GetService<IOperatorPanel>() is { } panel)
            {
                _panel = panel;
                panel.EventRaised += OnPanelEvent;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The last viewer leaving switches the lighting off.</summary>
    public async Task LeaveAsync()
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _viewers = Math.Max(0, _viewers - 1);
            if (_viewers == 0)
            {
                await SwitchOffLockedAsync("the live view stopped", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Called before each live-view frame: sets the live-view exposure and lights the casing when the station is Ready
    /// (lights only with the door closed), and restarts the idle timer.
    /// </summary>
    public async Task BeforeFrameAsync(CancellationToken cancellationToken)
    {
        var web = _options.Value;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.State != StationState.Ready)
            {
                return; // never touch the camera or the lights in Fault, Idle or while a capture owns them
            }
            await SetExposureAsync(web.LiveViewExposure, cancellationToken).ConfigureAwait(false);
            if (!web.LiveViewLighting || Light is not { } light)
            {
                return;
            }
            if (_panel is { DoorClosed: false })
            {
                // An open door means hands in the enclosure: no light is switched on, and one left on goes off.
                await SwitchOffLockedAsync("the door is open", cancellationToken).ConfigureAwait(false);
                return;
            }
            _idle.Change(web.LiveViewLightIdle, Timeout.InfiniteTimeSpan);
            if (!_lit)
            {
                var lighting = await ChooseAsync(light.SegmentCount, cancellationToken).ConfigureAwait(false);
                await light.SetAsync(lighting, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _lit, true);
                _log.LogInformation("Live view lighting on: {Lighting}", lighting);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whole PWM periods of the ring light, as a capture does, so the live picture does not flicker.</summary>
    private async Task SetExposureAsync(TimeSpan exposure, CancellationToken ct)
    {
        if (_services.GetService<ICamera>() is not { } camera)
        {
            return;
        }
        var pwm = Light?.PwmPeriod ?? TimeSpan.Zero;
        if (pwm > TimeSpan.Zero)
        {
            exposure = pwm * Math.Max(1, Math.Ceiling(exposure / pwm));
        }
        var current = camera.Settings;
        // A camera may accept a nearby value: that one counts as set, or it would be asked again every frame.
        if (current.Exposure != exposure && current.Exposure != _exposureApplied)
        {
            var applied = await camera.ConfigureAsync(current with { Exposure = exposure }, ct).ConfigureAwait(false);
            _exposureApplied = applied.Exposure;
            _log.LogInformation("Live view exposure {Exposure} ms (asked {Asked} ms)", applied.Exposure.TotalMilliseconds, exposure.TotalMilliseconds);
        }
    }

    private void OnPanelEvent(object? sender, PanelEvent e)
    {
        if (e.Kind == PanelEventKind.DoorOpened)
        {
            _ = OffAsync("the door was opened");
        }
    }

    /// <summary>Web:LiveViewLightSegments when set, else the overview lighting of the current case's recipe (or of the first recipe).</summary>
    private async Task<LightingState> ChooseAsync(int segmentCount, CancellationToken ct)
    {
        var web = _options.Value;
        if (web.LiveViewLightSegments.Length > 0 || web.LiveViewLightCoaxial > 0)
        {
            return LightingState.Segmented(segmentCount, web.LiveViewLightSegments.Where(s => s < segmentCount), web.LiveViewLightIntensity, web.LiveViewLightCoaxial);
        }
        try
        {
            var access = _services.GetRequiredService<TechnicianCaseAccess>();
            var calibres = access.Calibres;
            var current = await access.Store.GetAsync(ct).ConfigureAwait(false);
            var recipe = current is not null && calibres.TryFind(current.Calibre, out var entry) ? calibres.RecipeFor(entry)
                : calibres.Recipes.Count > 0 ? calibres.Recipes[0] : null;
            if (recipe is not null)
            {
                return recipe.Overview.Lighting.ToState(segmentCount);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            _log.LogWarning("No recipe for the live-view lighting ({Error}); all ring segments at Web:LiveViewLightIntensity instead.", e.Message);
        }
        return LightingState.Segmented(segmentCount, Enumerable.Range(0, segmentCount), web.LiveViewLightIntensity);
    }

    private async Task OffAsync(string why)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await SwitchOffLockedAsync(why, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.LogError(e, "Could not switch the live-view lighting off ({Why})", why);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SwitchOffLockedAsync(string why, CancellationToken ct)
    {
        _idle.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (!_lit || Light is not { } light)
        {
            return;
        }
        // Only switched off while the station is still Ready: after that the capture (or the safe-state guard) owns the lights.
        if (_state.State == StationState.Ready)
        {
            await light.AllOffAsync(ct).ConfigureAwait(false);
        }
        Volatile.Write(ref _lit, false);
        _log.LogInformation("Live view lighting off: {Why}", why);
        SwitchedOff?.Invoke(this, why);
    }

    private void OnStateChanged(object? sender, StationStateChange change)
    {
        if (change.To == StationState.Ready || !IsLit && _gate.CurrentCount == 1)
        {
            return;
        }
        // Synchronous on purpose: the capture that caused this change must not set its lighting before ours is off.
        _gate.Wait();
        try
        {
            if (_lit && Light is { } light)
            {
                light.AllOffAsync(CancellationToken.None).GetAwaiter().GetResult();
                Volatile.Write(ref _lit, false);
                _idle.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _log.LogInformation("Live view lighting off: the station went {State}", change.To);
                SwitchedOff?.Invoke(this, $"station {change.To}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _state.Changed -= OnStateChanged;
        if (_panel is not null)
        {
            _panel.EventRaised -= OnPanelEvent;
        }
        _idle.Dispose();
        _gate.Dispose();
    }
}
