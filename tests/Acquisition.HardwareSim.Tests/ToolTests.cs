using System.Device.Gpio;
using System.Text.Json.Nodes;
using Acquisition.Hardware.Light;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Surface;
using HardwareSim.Tool;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class ToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwsim-").FullName;
    private readonly SimulatedBench _bench;

    public ToolTests()
    {
        // $1=255 as the station sets it: the drivers hold between moves, so "push" is refused while they are on.
        _bench = new SimulatedBench(new SimulatedBenchOptions
        {
            ControlSocketPath = Path.Combine(_dir, "bench.sock"),
            Grbl = new Grbl.GrblOptions { SettingOverrides = { [1] = 255 } },
        });
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
    public async Task Snap_writes_a_png_of_what_the_simulated_camera_sees()
    {
        // The casing's centre under the lens at the bench's power-up position, in focus; all ring segments full on.
        var options = SimulatedCameraOptions.Small with
        {
            SceneOriginXMachineMicrometres = -25000,
            SceneOriginYMachineMicrometres = -25000,
            ZAtDatumFocusMicrometres = -10000,
        };
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1200));
        await using var camera = new SimulatedCamera(_bench, options, scene);
        _bench.SnapPng = camera.SnapPngAsync;
        _bench.Pca9685.Write([Pca9685Registers.Mode1, Pca9685Registers.Mode1AutoIncrement]); // wake, auto-increment
        for (var segment = 0; segment < 8; segment++)
        {
            // LEDn_ON_H full-on, LEDn_OFF_H's power-up full-off cleared.
            _bench.Pca9685.Write([(byte)(Pca9685Registers.Led0OnL + (4 * segment)), 0x00, Pca9685Registers.FullBit, 0x00, 0x00]);
        }
        var file = Path.Combine(_dir, "casing.png");
        var (exit, output, err) = await RunAsync("snap", "--out", file);
        Assert.True(exit == 0, err);
        Assert.Contains("wrote", output);

        using var image = Cv2.ImRead(file, ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_8UC1, image.Type());
        Assert.Equal(new Size(options.Width, options.Height), image.Size());
        Cv2.MeanStdDev(image, out var mean, out var stddev);
        Assert.InRange(mean.Val0, 10, 245); // lit, not saturated
        Assert.True(stddev.Val0 > 5, $"a blank frame: σ = {stddev.Val0:0.0} DN");
        // The structure is the casing's: the frame correlates with the simulator's noise-free all-in-focus truth.
        var now = _bench.SimClock.GetUtcNow();
        using var truth = camera.GroundTruth(_bench.TruePositionAt(now), _bench.LightingAt(now));
        using var frame = new Mat();
        image.ConvertTo(frame, MatType.CV_32FC1);
        // Compared at the scale of the structure: the truth is noise-free and in focus everywhere, and keeps the
        // pixel-scale texture at full contrast, which the frame's diffraction blur, defocus and noise do not.
        Cv2.GaussianBlur(frame, frame, new Size(0, 0), 1.5);
        using var truthStructure = new Mat();
        Cv2.GaussianBlur(truth.AllInFocus, truthStructure, new Size(0, 0), 1.5);
        using var correlation = new Mat();
        Cv2.MatchTemplate(frame, truthStructure, correlation, TemplateMatchModes.CCoeffNormed);
        Assert.True(correlation.At<float>(0, 0) > 0.6, $"correlation with the true image {correlation.At<float>(0, 0):0.00}");
    }

    [Fact]
    public async Task Arm_fires_a_stall_on_the_next_jog_and_push_needs_the_drivers_off()
    {
        Assert.Equal(0, (await RunAsync("arm", "stall-x", "--after-um", "100")).Exit);
        var status = JsonNode.Parse((await RunAsync("status")).Out)!;
        Assert.Equal("stall-x after 100 µm", (string?)status["armed"]);
        _bench.Grbl.ExecuteLocally("$X");
        Assert.Equal(0, (await RunAsync("jog", "x", "-250")).Exit);
        await Task.Delay(TimeSpan.FromSeconds(2), _bench.SimClock).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(_bench.Faults.IsOn("stall-x"));
        var now = _bench.SimClock.GetUtcNow();
        Assert.Equal(-250, _bench.ReportedPositionAt(now).X.Value, 3);
        Assert.Equal(150, _bench.TruePositionAt(now).X.Value - (-25000 - 250), 0); // stopped 100 µm into the jog
        Assert.Equal(0, (await RunAsync("arm", "controller-reset", "--after-um", "5")).Exit);
        Assert.Equal(0, (await RunAsync("disarm")).Exit);
        Assert.Null(_bench.Grbl.ArmedFault);

        var push = await RunAsync("push", "z", "-20");
        Assert.Equal(1, push.Exit);
        Assert.Contains("motor-enable", push.Err);
    }

    [Theory]
    [InlineData(true, "clock virtual")]
    [InlineData(false, "clock real-time")]
    public async Task Serve_runs_the_clock_the_option_asks_for(bool virtualClock, string expected)
    {
        Assert.Equal(virtualClock ? ClockMode.Virtual : ClockMode.RealTime, HardwareSimCli.ServeOptions("x.sock", virtualClock).Clock.Mode);
        var output = new SignallingWriter("clock ");
        using var stop = new CancellationTokenSource();
        var socket = Path.Combine(_dir, "serve.sock");
        string[] args = virtualClock ? ["--socket", socket, "serve", "--virtual"] : ["--socket", socket, "serve"];
        var run = HardwareSimCli.RunAsync(args, output, new StringWriter(), stop.Token);
        var line = await output.Seen.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(expected, line);
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>Completes <see cref="Seen"/> with the first line written that starts with a prefix.</summary>
    private sealed class SignallingWriter(string prefix) : StringWriter
    {
        public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(prefix, StringComparison.Ordinal))
            {
                Seen.TrySetResult(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
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
