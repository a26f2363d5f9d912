using Acquisition.Core.Hardware;
using Acquisition.Hardware.Camera;
using Acquisition.HardwareSim;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Surface;

namespace Acquisition.Hardware.Tests.Camera;

/// <summary>
/// The camera faults end to end as the station runs them: the simulator's camera (rendered frames on the bench's
/// virtual clock) behind the real FreshFrameCamera, which owns freshness, timeouts and reopening.
/// </summary>
public sealed class SimulatedCameraFaultTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly SimulatedBench _bench = new(new SimulatedBenchOptions
    {
        Clock = new SimulationClockOptions { Mode = ClockMode.Virtual, QuiescenceWindow = TimeSpan.FromMilliseconds(40) },
    });

    private async Task<(SimulatedCamera Sim, FreshFrameCamera Camera)> OpenAsync()
    {
        var sim = new SimulatedCamera(_bench, SimulatedCameraOptions.Small, SurfacePresets.DefaultCasing(), _bench.SimClock.Pause);
        var camera = new FreshFrameCamera(sim, new FreshFrameCameraOptions { ReconnectAttempts = 1 }, _bench.SimClock);
        await camera.ConfigureAsync(sim.Settings, CancellationToken.None).WaitAsync(Guard);
        return (sim, camera);
    }

    [Fact]
    public async Task When_the_camera_stops_delivering_the_capture_times_out_after_reopening_once_and_the_camera_is_closed()
    {
        var (sim, camera) = await OpenAsync();
        await using var _ = camera;
        var before = await camera.CaptureAsync(_bench.SimClock.GetUtcNow(), CancellationToken.None).WaitAsync(Guard);
        Assert.Equal((SimulatedCameraOptions.Small.Width, SimulatedCameraOptions.Small.Height), (before.Width, before.Height));

        sim.StopFrames();
        var settled = _bench.SimClock.GetUtcNow();
        var timeout = camera.TimeoutFor(settled);
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => camera.CaptureAsync(settled, CancellationToken.None).WaitAsync(Guard));

        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no frame arrived at all", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1 reopen attempt", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, camera.Reconnects);
        Assert.False(sim.IsOpen); // safe state: the stalled device is released
        // Both attempts waited their full, derived timeout on the bench clock before giving up.
        Assert.True(_bench.SimClock.GetUtcNow() - settled >= timeout * 2, $"gave up after {_bench.SimClock.GetUtcNow() - settled}, timeout {timeout}");

        sim.ResumeFrames();
        var after = await camera.CaptureAsync(_bench.SimClock.GetUtcNow(), CancellationToken.None).WaitAsync(Guard);
        Assert.True(after.ExposureStart > before.ExposureStart);
    }

    [Fact]
    public async Task A_lost_camera_fails_naming_the_device_and_works_again_once_it_is_back()
    {
        var (sim, camera) = await OpenAsync();
        await using var _ = camera;
        sim.Disconnect();
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => camera.CaptureAsync(_bench.SimClock.GetUtcNow(), CancellationToken.None).WaitAsync(Guard));
        Assert.Contains($"Camera '{sim.Name}' is disconnected", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Check the camera's USB cable", ex.Message, StringComparison.Ordinal);
        Assert.False(sim.IsOpen);

        sim.Reconnect();
        var frame = await camera.CaptureAsync(_bench.SimClock.GetUtcNow(), CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(sim.Settings.Exposure, frame.Exposure);
    }

    public void Dispose() => _bench.Dispose();
}
