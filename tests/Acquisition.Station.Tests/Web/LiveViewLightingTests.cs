using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Station.Web;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Station.Tests.Web;

/// <summary>The live view's lighting on a fake clock: on for a viewer while Ready, off when it leaves, idles or a capture starts.</summary>
public sealed class LiveViewLightingTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>A ring light that remembers every state it was set to.</summary>
    private sealed class RecordingLight : IRingLight
    {
        public List<LightingState> Sets { get; } = [];
        public int SegmentCount => 8;
        public LightingState Current { get; private set; } = LightingState.AllOff(8);
        public TimeSpan PwmPeriod => TimeSpan.Zero;

        public Task SetAsync(LightingState state, CancellationToken cancellationToken)
        {
            Current = state;
            Sets.Add(state);
            return Task.CompletedTask;
        }

        public Task AllOffAsync(CancellationToken cancellationToken) => SetAsync(LightingState.AllOff(SegmentCount), cancellationToken);
    }

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingLight _light = new();
    private readonly StationStateMachine _state;
    private readonly LiveViewLighting _lighting;

    public LiveViewLightingTests()
    {
        _state = new StationStateMachine(_time);
        _state.TransitionTo(StationState.Ready, "test");
        var services = new ServiceCollection().AddSingleton<IRingLight>(_light).BuildServiceProvider();
        _lighting = new LiveViewLighting(services, _state,
            Options.Create(new WebOptions { LiveViewLightSegments = [0, 2, 4, 6], LiveViewLightIntensity = 0.6, LiveViewLightIdle = TimeSpan.FromSeconds(30) }),
            _time, NullLogger<LiveViewLighting>.Instance);
    }

    private Task<string> NextOff()
    {
        var off = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? s, string why)
        {
            _lighting.SwitchedOff -= Handler;
            off.TrySetResult(why);
        }
        _lighting.SwitchedOff += Handler;
        return off.Task;
    }

    [Fact]
    public async Task A_viewer_lights_the_casing_and_the_light_goes_off_when_it_leaves()
    {
        await _lighting.EnterAsync(CancellationToken.None);
        Assert.True(_light.Current.IsOff);
        await _lighting.BeforeFrameAsync(CancellationToken.None);
        Assert.True(_lighting.IsLit);
        Assert.Equal(new[] { 0.6, 0, 0.6, 0, 0.6, 0, 0.6, 0 }, _light.Current.Segments.ToArray());
        await _lighting.BeforeFrameAsync(CancellationToken.None);
        Assert.Single(_light.Sets); // set once, not per frame

        var off = NextOff();
        await _lighting.LeaveAsync();
        Assert.Equal("the live view stopped", await off.WaitAsync(Guard));
        Assert.True(_light.Current.IsOff);
        Assert.False(_lighting.IsLit);
    }

    [Fact]
    public async Task With_two_viewers_the_light_stays_on_until_the_last_leaves()
    {
        await _lighting.EnterAsync(CancellationToken.None);
        await _lighting.EnterAsync(CancellationToken.None);
        await _lighting.BeforeFrameAsync(CancellationToken.None);
        await _lighting.LeaveAsync();
        Assert.False(_light.Current.IsOff);
        await _lighting.LeaveAsync();
        Assert.True(_light.Current.IsOff);
    }

    [Fact]
    public async Task No_frame_for_the_idle_time_switches_the_light_off_and_the_next_frame_lights_it_again()
    {
        await _lighting.EnterAsync(CancellationToken.None);
        await _lighting.BeforeFrameAsync(CancellationToken.None);
        var off = NextOff();
        _time.Advance(TimeSpan.FromSeconds(29));
        await _lighting.BeforeFrameAsync(CancellationToken.None); // a frame restarts the idle time
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(off.IsCompleted);
        Assert.False(_light.Current.IsOff);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains("LiveViewLightIdle", await off.WaitAsync(Guard));
        Assert.True(_light.Current.IsOff);

        await _lighting.BeforeFrameAsync(CancellationToken.None);
        Assert.False(_light.Current.IsOff);
    }

    [Fact]
    public async Task A_capture_taking_over_finds_the_light_off_and_the_live_view_does_not_light_it_while_capturing()
    {
        await _lighting.EnterAsync(CancellationToken.None);
        await _lighting.BeforeFrameAsync(CancellationToken.None);
        Assert.False(_light.Current.IsOff);

        // Off synchronously, before TransitionTo returns: the capture's own lighting comes after.
        _state.TransitionTo(StationState.Capturing, "capture started");
        Assert.True(_light.Current.IsOff);
        Assert.False(_lighting.IsLit);
        var setsAtCapture = _light.Sets.Count;
        await _lighting.BeforeFrameAsync(CancellationToken.None);
        Assert.Equal(setsAtCapture, _light.Sets.Count);

        // The capture's lighting is not touched when the viewer leaves mid-capture.
        await _light.SetAsync(LightingState.Segmented(8, [1], 1.0), CancellationToken.None);
        await _lighting.LeaveAsync();
        Assert.False(_light.Current.IsOff);

        // In Fault the live view never lights the casing.
        _state.TransitionTo(StationState.Fault, "test");
        await _lighting.EnterAsync(CancellationToken.None);
        var setsInFault = _light.Sets.Count;
        await _lighting.BeforeFrameAsync(CancellationToken.None);
        Assert.Equal(setsInFault, _light.Sets.Count);
    }

    [Fact]
    public void The_live_view_lighting_settings_are_checked_at_start_with_the_key_named()
    {
        var validator = new WebOptionsValidator();
        Assert.True(validator.Validate(null, new WebOptions()).Succeeded);
        var bad = validator.Validate(null, new WebOptions { LiveViewLightSegments = [0, 40], LiveViewLightIntensity = 1.5, LiveViewLightIdle = TimeSpan.Zero });
        Assert.True(bad.Failed);
        Assert.Contains("Web:LiveViewLightSegments", bad.FailureMessage);
        Assert.Contains("Web:LiveViewLightIntensity", bad.FailureMessage);
        Assert.Contains("Web:LiveViewLightIdle", bad.FailureMessage);
    }
}
