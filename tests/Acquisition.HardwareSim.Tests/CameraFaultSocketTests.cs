using System.Text.Json.Nodes;
using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using HardwareSim.Tool;

namespace Acquisition.HardwareSim.Tests;

/// <summary>The camera's faults switched the way an engineer does it: through the bench-control socket (the tool is its client).</summary>
public sealed class CameraFaultSocketTests : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("hwsim-cam-").FullName;
    private readonly SimulatedBench _bench;
    private readonly SurfaceScene _scene = SurfacePresets.DiffuseWhite(halfWidthMicrometres: 800);
    private readonly SimulatedCamera _camera;
    private readonly IDisposable _wiring;

    public CameraFaultSocketTests()
    {
        _bench = new SimulatedBench(new SimulatedBenchOptions { ControlSocketPath = Path.Combine(_dir, "bench.sock") });
        _camera = new SimulatedCamera(_bench, SimulatedCameraOptions.Small, _scene);
        _wiring = _bench.WireCamera(_camera);
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await HardwareSimCli.RunAsync(["--socket", _bench.ControlSocketPath!, .. args], output, error, CancellationToken.None)
            .WaitAsync(Guard);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Camera_disconnect_from_the_socket_fails_a_pending_read_and_switching_it_off_lets_the_camera_reopen()
    {
        await _camera.OpenAsync(CancellationToken.None);
        await _camera.ReadNextAsync(CancellationToken.None).WaitAsync(Guard);
        var pending = _camera.ReadNextAsync(CancellationToken.None);

        Assert.Equal(0, (await RunAsync("fault", "camera-disconnect", "on")).Exit);

        var e = await Assert.ThrowsAsync<HardwareFaultException>(() => pending.WaitAsync(Guard));
        Assert.Contains("disconnected", e.Message, StringComparison.Ordinal);
        Assert.True(_camera.IsDisconnected);
        var status = JsonNode.Parse((await RunAsync("status")).Out)!;
        Assert.Contains("camera-disconnect", status["faults"]!.AsArray().Select(f => (string?)f));
        await Assert.ThrowsAsync<HardwareFaultException>(() => _camera.OpenAsync(CancellationToken.None));

        Assert.Equal(0, (await RunAsync("fault", "camera-disconnect", "off")).Exit);
        Assert.False(_camera.IsDisconnected);
        await _camera.OpenAsync(CancellationToken.None);
        var frame = await _camera.ReadNextAsync(CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(SimulatedCameraOptions.Small.Width, frame.Width);
    }

    [Fact]
    public async Task Camera_timeout_from_the_socket_stops_frames_until_it_is_switched_off()
    {
        await _camera.OpenAsync(CancellationToken.None);
        await _camera.ReadNextAsync(CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(0, (await RunAsync("fault", "camera-timeout", "on")).Exit);
        Assert.True(_camera.FramesStopped);
        var waiting = _camera.ReadNextAsync(CancellationToken.None);
        // Two seconds of bench time is dozens of frame intervals: none arrives.
        await Task.Delay(TimeSpan.FromSeconds(2), _bench.SimClock).WaitAsync(Guard);
        Assert.False(waiting.IsCompleted);

        var resumedAt = _bench.SimClock.GetUtcNow();
        Assert.Equal(0, (await RunAsync("fault", "camera-timeout", "off")).Exit);
        var frame = await waiting.WaitAsync(Guard);
        Assert.True(frame.ExposureStart >= resumedAt - frame.Exposure, "a frame exposed while frames were stopped was delivered");
    }

    [Fact]
    public async Task A_camera_wired_while_a_fault_is_on_starts_faulted()
    {
        Assert.Equal(0, (await RunAsync("fault", "camera-timeout", "on")).Exit);
        await using var late = new SimulatedCamera(_bench, SimulatedCameraOptions.Small, _scene);
        using var wiring = _bench.WireCamera(late);
        Assert.True(late.FramesStopped);
        wiring.Dispose();
        Assert.Equal(0, (await RunAsync("fault", "camera-timeout", "off")).Exit);
        Assert.True(late.FramesStopped); // unwired: the switch no longer reaches it
        Assert.False(_camera.FramesStopped);
    }

    public async ValueTask DisposeAsync()
    {
        _wiring.Dispose();
        await _camera.DisposeAsync();
        _scene.Dispose();
        _bench.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
