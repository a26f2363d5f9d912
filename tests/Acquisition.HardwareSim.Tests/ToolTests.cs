using System.Device.Gpio;
using System.Text.Json.Nodes;
using HardwareSim.Tool;

namespace Acquisition.HardwareSim.Tests;

public sealed class ToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwsim-").FullName;
    private readonly SimulatedBench _bench;

    public ToolTests()
    {
        _bench = new SimulatedBench(new SimulatedBenchOptions { ControlSocketPath = Path.Combine(_dir, "bench.sock") });
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await HardwareSimCli.RunAsync(["--socket", _bench.ControlSocketPath!, .. args], output, error, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Status_press_door_fault_and_jog_drive_the_bench()
    {
        var (exit, output, _) = await RunAsync("status");
        Assert.Equal(0, exit);
        var status = JsonNode.Parse(output)!;
        Assert.Equal("Alarm", (string?)status["state"]);
        Assert.Equal(_bench.SerialPortPath, (string?)status["serialPort"]);

        using var gpio = new GpioController(_bench.Gpio);
        gpio.OpenPin(_bench.Pins.CaptureButton, PinMode.InputPullUp);
        var edges = 0;
        gpio.RegisterCallbackForPinValueChangedEvent(_bench.Pins.CaptureButton, PinEventTypes.Falling | PinEventTypes.Rising,
            (_, _) => Interlocked.Increment(ref edges));
        Assert.Equal(0, (await RunAsync("press")).Exit);
        Assert.Equal(2, edges);
        Assert.False(_bench.ButtonPressed);

        Assert.Equal(0, (await RunAsync("door", "open")).Exit);
        Assert.True(_bench.DoorOpen);
        Assert.True(_bench.Grbl.DoorOpen);
        Assert.Equal(0, (await RunAsync("door", "close")).Exit);

        Assert.Equal(0, (await RunAsync("fault", "stall-z", "on")).Exit);
        Assert.True(_bench.Faults.IsOn("stall-z"));
        Assert.Equal(0, (await RunAsync("fault", "stall-z", "off")).Exit);

        _bench.Grbl.ExecuteLocally("$X");
        Assert.Equal(0, (await RunAsync("jog", "x", "-250")).Exit);
        await Task.Delay(TimeSpan.FromSeconds(2), _bench.SimClock).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(-250, _bench.ReportedPositionAt(_bench.SimClock.GetUtcNow()).X.Value, 3);

        var bad = await RunAsync("fault", "no-such", "on");
        Assert.NotEqual(0, bad.Exit);
    }

    [Fact]
    public async Task Snap_explains_when_no_camera_is_wired_and_writes_the_png_when_one_is()
    {
        var file = Path.Combine(_dir, "frame.png");
        var (exit, _, err) = await RunAsync("snap", "--out", file);
        Assert.Equal(1, exit);
        Assert.Contains("No camera is wired", err);
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3];
        _bench.SnapPng = _ => Task.FromResult(png);
        (exit, _, _) = await RunAsync("snap", "--out", file);
        Assert.Equal(0, exit);
        Assert.Equal(png, await File.ReadAllBytesAsync(file));
        (exit, _, err) = await RunAsync("snap", "--out", file);
        Assert.Equal(1, exit); // never overwrites
    }

    [Fact]
    public async Task Missing_socket_gives_a_clear_error()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await HardwareSimCli.RunAsync(["--socket", Path.Combine(_dir, "none.sock"), "status"], output, error, CancellationToken.None);
        Assert.Equal(1, exit);
        Assert.Contains("Cannot connect to the bench-control socket", error.ToString());
    }

    public void Dispose()
    {
        _bench.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
