using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Station.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Acquisition.Station.Tests.Web;

/// <summary>The live view's rate cap and its pause during a stack, on a fake clock (no wall time).</summary>
public sealed class LiveViewPacingTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>Released once per frame the view sends.</summary>
    private static SemaphoreSlim CountFrames(LiveView live)
    {
        var sent = new SemaphoreSlim(0);
        live.FrameSent += (_, _) => sent.Release();
        return sent;
    }

    private static (LiveView Live, FakeTimeProvider Time, StationStateMachine State, ICamera Camera) Create(double framesPerSecond)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var camera = Substitute.For<ICamera>();
        camera.CaptureAsync(Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>()).Returns(_ =>
            Task.FromResult(new Frame(64, 48, PixelFormat.Mono8, new byte[64 * 48], 1, time.GetUtcNow(), TimeSpan.FromMilliseconds(5))));
        var services = new ServiceCollection().AddSingleton(camera).BuildServiceProvider();
        var state = new StationStateMachine(time);
        state.TransitionTo(StationState.Ready, "test");
        var live = new LiveView(services, state, Options.Create(new WebOptions { LiveViewMaxFramesPerSecond = framesPerSecond }), time);
        return (live, time, state, camera);
    }

    [Fact]
    public async Task Frames_are_sent_at_most_at_the_configured_rate()
    {
        var (live, time, _, _) = Create(framesPerSecond: 4);
        var sent = CountFrames(live);
        var ctx = new DefaultHttpContext();
        ctx.Response.Body = new MemoryStream();
        using var cts = new CancellationTokenSource();
        var stream = live.StreamAsync(ctx.Response, cts.Token);

        Assert.True(await sent.WaitAsync(Guard));
        Assert.Equal(1, live.FramesSent);
        // 4 frames/s: nothing more until 250 ms have passed on the clock the view was given.
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Equal(1, live.FramesSent);
        Assert.Equal(0, sent.CurrentCount);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await sent.WaitAsync(Guard));
        Assert.Equal(2, live.FramesSent);
        Assert.StartsWith("multipart/x-mixed-replace", ctx.Response.ContentType);

        await cts.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream);
    }

    [Fact]
    public async Task While_the_station_captures_no_frame_is_taken_or_sent()
    {
        var (live, time, state, camera) = Create(framesPerSecond: 5);
        var sent = CountFrames(live);
        var ctx = new DefaultHttpContext();
        ctx.Response.Body = new MemoryStream();
        using var cts = new CancellationTokenSource();
        var stream = live.StreamAsync(ctx.Response, cts.Token);
        Assert.True(await sent.WaitAsync(Guard));

        state.TransitionTo(StationState.Capturing, "test stack");
        camera.ClearReceivedCalls();
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(200));
        }
        Assert.Equal(1, live.FramesSent);

        state.TransitionTo(StationState.Ready, "stack done");
        Assert.True(await sent.WaitAsync(Guard));
        Assert.Equal(2, live.FramesSent);
        // At most the one frame the loop may have been taking as the stack began (then dropped), and the one after it.
        Assert.InRange(camera.ReceivedCalls().Count(), 1, 2);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream);
    }
}
