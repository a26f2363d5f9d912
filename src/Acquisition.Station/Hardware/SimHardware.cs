using System.Device.Gpio;
using System.IO.Ports;
using Acquisition.Core.Hardware;
using Acquisition.Hardware.Grbl;
using Acquisition.Hardware.Light;
using Acquisition.Hardware.Panel;
using Acquisition.HardwareSim;
using Acquisition.Hardware.Camera;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Surface;
using Acquisition.Station.Configuration;
using Acquisition.Workflow.Processing;
using Microsoft.Extensions.Options;
using StationRingLightOptions = Acquisition.Station.Configuration.RingLightOptions;

namespace Acquisition.Station.Hardware;

/// <summary>
/// The sim profile: the simulator's bench hosted in-process, driven through the same drivers as a real station —
/// GrblStage over a real SerialPort on the bench's pseudo-terminal, the operator panel over a GpioController on the
/// simulated GPIO driver, the ring light's PCA9685 driver over the simulated I2C device. Only the devices are
/// simulated; every line of driver code runs.
/// </summary>
public static class SimHardware
{
    public static IServiceCollection AddSimHardware(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var station = sp.GetRequiredService<IOptions<StationOptions>>().Value;
            var light = sp.GetRequiredService<IOptions<StationRingLightOptions>>().Value;
            var sim = sp.GetRequiredService<IOptions<SimulatorOptions>>().Value;
            var log = sp.GetRequiredService<ILogger<SimulatedBench>>();
            var benchSocket = sim.BenchControlSocket ? Path.Combine(station.DataDirectory, "run", "bench.sock") : null;
            if (benchSocket is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(benchSocket)!);
                File.Delete(benchSocket); // left by a crash; only this process serves the bench
            }
            var bench = new SimulatedBench(new SimulatedBenchOptions
            {
                Clock = new SimulationClockOptions
                {
                    Mode = sim.Clock == SimulatorClock.Virtual ? ClockMode.Virtual : ClockMode.RealTime,
                    // Start at the real time, so calibrations and audit entries (system clock) and captures (this
                    // clock) agree about what is expired; a virtual clock then only runs ahead.
                    Start = DateTimeOffset.UtcNow,
                    // Wide enough that on a loaded machine the virtual clock does not jump to a driver's timeout
                    // before the simulated controller has read the command (as the workflow's end-to-end rig).
                    QuiescenceWindow = TimeSpan.FromMilliseconds(70),
                },
                Pins = station.Pins,
                Lights = light.Driver == RingLightDriver.NativePwm ? LightDriver.NativePwm : LightDriver.Pca9685,
                SegmentCount = light.SegmentChannels.Length,
                CoaxialChannel = light.CoaxialChannel,
                ControlSocketPath = benchSocket,
                MotorEnableWired = sim.MotorEnableWired,
                TracePath = string.IsNullOrEmpty(sim.TraceFile) ? null : sim.TraceFile,
            });
            log.LogInformation("Simulator bench: GRBL on {Port}, {Clock} clock{Socket}.", bench.SerialPortPath, sim.Clock,
                bench.ControlSocketPath is { } s ? ", bench control on " + s : "");
            return bench;
        });
        services.AddSingleton(sp => new DeviceClock(sp.GetRequiredService<SimulatedBench>().SimClock));
        services.AddSingleton(sp =>
        {
            var bench = sp.GetRequiredService<SimulatedBench>();
            var o = sp.GetRequiredService<IOptions<SimulatorOptions>>().Value.Camera;
            var options = SimulatedCameraOptions.Small with
            {
                Width = o.Width,
                Height = o.Height,
                PixelSizeMicrometres = o.PixelSizeMicrometres,
                SceneOriginXMachineMicrometres = o.SceneOriginXMicrometres,
                SceneOriginYMachineMicrometres = o.SceneOriginYMicrometres,
                ZAtDatumFocusMicrometres = o.FocusZMicrometres,
            };
            var camera = new SimulatedCamera(bench, options, SurfacePresets.DefaultCasing(), bench.SimClock.Pause) { Trace = bench.TraceLine };
            // "camera-disconnect" / "camera-timeout" from the bench-control socket act on this camera.
            bench.WireCamera(camera);
            return camera;
        });
        services.AddSingleton<ICamera>(sp =>
        {
            var bench = sp.GetRequiredService<SimulatedBench>();
            var camera = new FreshFrameCamera(sp.GetRequiredService<SimulatedCamera>(), new FreshFrameCameraOptions(), bench.SimClock,
                sp.GetRequiredService<ILogger<FreshFrameCamera>>());
            // The bench-control socket's "snap": a fresh frame through the same camera path the captures use.
            bench.SnapPng = async ct => EncodePng(await camera.CaptureAsync(bench.SimClock.GetUtcNow(), ct).ConfigureAwait(false));
            return camera;
        });
        services.AddHostedService<SimulatorStartupService>();
        services.AddSingleton(sp => new GpioController(sp.GetRequiredService<SimulatedBench>().Gpio));
        services.AddSingleton<IOperatorPanel>(sp =>
        {
            var bench = sp.GetRequiredService<SimulatedBench>();
            return new OperatorPanel(sp.GetRequiredService<GpioController>(), bench.Pins, new OperatorPanelOptions(),
                bench.SimClock, sp.GetRequiredService<ILogger<OperatorPanel>>());
        });
        services.AddSingleton<IStage>(sp =>
        {
            var bench = sp.GetRequiredService<SimulatedBench>();
            var stage = sp.GetRequiredService<IOptions<StageOptions>>().Value;
            var port = new SerialPort(bench.SerialPortPath, stage.BaudRate);
            // One clock: the pty host watches the stage's writes and reader, so the virtual clock cannot jump from
            // before a request is written until its reply has been routed (docs/simulator.md, "When virtual time jumps").
            return new GrblStage(port, DriverOptions.Stage(stage, bench.SerialPortPath), bench.SimClock,
                sp.GetRequiredService<ILogger<GrblStage>>(), sp.GetRequiredService<IOperatorPanel>())
            {
                ReaderObserver = bench.Motion,
            };
        });
        services.AddSingleton<IRingLight>(sp =>
        {
            var bench = sp.GetRequiredService<SimulatedBench>();
            var light = sp.GetRequiredService<IOptions<StationRingLightOptions>>().Value;
            var log = sp.GetRequiredService<ILogger<RingLight>>();
            return light.Driver == RingLightDriver.NativePwm
                ? new RingLight(new PwmChannelBank([.. DriverOptions.UsedOutputs(light).Select(c => bench.PwmChannels[c])]),
                    DriverOptions.RingLightOverUsedOutputs(light), log)
                : new RingLight(new Pca9685(bench.Pca9685, light.PwmFrequencyHz, timeProvider: bench.SimClock), DriverOptions.RingLight(light), log);
        });
        return services;
    }

    /// <summary>Mono8 as 8-bit PNG; Mono12/Mono16 as 16-bit PNG with the sensor's values unchanged.</summary>
    private static byte[] EncodePng(Frame frame)
    {
        var type = frame.Format == PixelFormat.Mono8 ? OpenCvSharp.MatType.CV_8UC1 : OpenCvSharp.MatType.CV_16UC1;
        using var mat = OpenCvSharp.Mat.FromPixelData(frame.Height, frame.Width, type, frame.Data);
        return mat.ToBytes(".png");
    }
}
