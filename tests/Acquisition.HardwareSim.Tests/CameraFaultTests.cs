using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraFaultTests
{
    private static CameraRig Rig() => new(SurfacePresets.DiffuseWhite(halfWidthMicrometres: 800), SimulatedCameraOptions.Small);

    [Fact]
    public async Task Disconnect_fails_a_pending_read_with_an_error_naming_the_camera()
    {
        await using var rig = Rig();
        await rig.Camera.OpenAsync(CancellationToken.None);
        var pending = rig.Camera.ReadNextAsync(CancellationToken.None);

        rig.Camera.Disconnect();

        var e = await Assert.ThrowsAsync<HardwareFaultException>(() => pending.WaitAsync(CameraRig.Guard));
        Assert.Contains("sim-camera", e.Message, StringComparison.Ordinal);
        Assert.Contains("disconnected", e.Message, StringComparison.Ordinal);
        Assert.False(rig.Camera.IsOpen);
        await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Camera.OpenAsync(CancellationToken.None));
        await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Camera.ReadNextAsync(CancellationToken.None));

        rig.Camera.Reconnect();
        await rig.Camera.OpenAsync(CancellationToken.None);
        var frame = await rig.ReadAsync();
        Assert.Equal(SimulatedCameraOptions.Small.Width, frame.Width);
    }

    [Fact]
    public async Task Stopped_frames_never_arrive_until_resumed_and_a_stalled_read_can_be_cancelled()
    {
        await using var rig = Rig();
        await rig.ReadAsync();
        rig.Camera.StopFrames();

        using var cts = new CancellationTokenSource();
        var stalled = rig.Camera.ReadNextAsync(cts.Token);
        rig.Bench.ManualClock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(stalled.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled.WaitAsync(CameraRig.Guard));

        var waiting = rig.Camera.ReadNextAsync(CancellationToken.None);
        rig.Bench.ManualClock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        var resumedAt = rig.Bench.Clock.GetUtcNow();
        rig.Camera.ResumeFrames();
        await rig.RunClockUntil(waiting);
        var frame = await waiting;
        Assert.True(frame.ExposureStart >= resumedAt - frame.Exposure, "a frame exposed before the resume was delivered");
    }

    [Fact]
    public async Task Frames_free_run_on_the_bench_clock_at_the_frame_interval()
    {
        await using var rig = Rig();
        var a = await rig.ReadAsync();
        var b = await rig.ReadAsync();

        Assert.Equal(a.Sequence + 1, b.Sequence);
        Assert.Equal(rig.Camera.FrameInterval, b.ExposureStart - a.ExposureStart);
        // Delivered at the end of its exposure (timers resolve whole milliseconds), never before.
        var delivered = rig.Bench.Clock.GetUtcNow();
        Assert.InRange(delivered - (b.ExposureStart + b.Exposure), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));

        // Reading late skips the frames in between: the gap shows in the sequence numbers.
        rig.Bench.ManualClock.Advance(rig.Camera.FrameInterval * 3.5);
        var c = await rig.ReadAsync();
        Assert.True(c.Sequence >= b.Sequence + 3, $"sequence {b.Sequence} then {c.Sequence}");
    }

    [Fact]
    public async Task Settings_are_clamped_to_what_the_sensor_supports_and_reported()
    {
        await using var rig = Rig();
        await rig.Camera.OpenAsync(CancellationToken.None);
        var accepted = await rig.Camera.ApplyAsync(new CameraSettings(4000, 3000, PixelFormat.Mono16, TimeSpan.FromSeconds(5), 100), CancellationToken.None);

        Assert.Equal(new CameraSettings(512, 424, PixelFormat.Mono12, TimeSpan.FromSeconds(1), 16), accepted);
        Assert.Equal(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(1), rig.Camera.FrameInterval);
    }
}
