using System.Device.Gpio;
using Acquisition.Hardware.Camera;
using Acquisition.Hardware.Grbl;
using Acquisition.Hardware.Light;
using Acquisition.Hardware.Panel;
using Acquisition.HardwareSim;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Surface;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// The simulator's bench (GRBL on a pseudo-terminal, GPIO, PCA9685, one virtual clock) driven by the real drivers:
/// GrblStage over a SerialPort, OperatorPanel over a GpioController on the simulated GPIO, RingLight over the real
/// PCA9685 driver on the simulated chip, and the simulated camera behind the real FreshFrameCamera.
/// </summary>
internal sealed class SimBench : IAsyncDisposable
{
    public const double OriginX = -25000;
    public const double OriginY = -25000;
    public const double FocusZ = -10000;

    /// <summary>A quarter-resolution sensor with the full sensor's field (6.1×5.1 mm), so the whole primer is in the overview.</summary>
    public static SimulatedCameraOptions QuarterResolution => SimulatedCameraOptions.Small with { Width = 612, Height = 512, PixelSizeMicrometres = 10 };

    private SimBench(SimulatedCameraOptions cameraOptions, SurfaceScene scene)
    {
        // A wide quiescence window: on a loaded machine the virtual clock must not jump to a driver's timeout before
        // the simulated controller has even read the command.
        Bench = new SimulatedBench(new SimulatedBenchOptions
        {
            Clock = new SimulationClockOptions { Mode = ClockMode.Virtual, QuiescenceWindow = TimeSpan.FromMilliseconds(70) },
        });
        Gpio = new GpioController(Bench.Gpio);
        Panel = new OperatorPanel(Gpio, Bench.Pins, new OperatorPanelOptions(), Bench.SimClock);
        Stage = new GrblStage(new GrblStageOptions
        {
            PortName = Bench.SerialPortPath,
            SettingsFile = Path.Combine(TestPaths.FirmwareConfig, "grbl-settings.txt"),
            IdlePollInterval = TimeSpan.Zero,
            SettleTime = TimeSpan.FromMilliseconds(20),
            MotionPollInterval = TimeSpan.FromMilliseconds(250),
        }, Bench.SimClock, motorEnable: Panel) { ReaderObserver = Bench.Motion };
        Lights = new RingLight(new Pca9685(Bench.Pca9685, 1000), new RingLightOptions { SegmentCount = 8, CoaxialChannel = 8 });
        Scene = scene;
        CameraOptions = cameraOptions with
        {
            SceneOriginXMachineMicrometres = OriginX,
            SceneOriginYMachineMicrometres = OriginY,
            ZAtDatumFocusMicrometres = FocusZ,
        };
        SimCamera = new SimulatedCamera(Bench, CameraOptions, scene, Bench.SimClock.Pause);
        Camera = new FreshFrameCamera(SimCamera, new FreshFrameCameraOptions(), Bench.SimClock);
    }

    public SimulatedBench Bench { get; }
    public TimeProvider Clock => Bench.SimClock;
    public GpioController Gpio { get; }
    public OperatorPanel Panel { get; }
    public GrblStage Stage { get; }
    public RingLight Lights { get; }
    public SurfaceScene Scene { get; }
    public SimulatedCameraOptions CameraOptions { get; }
    public SimulatedCamera SimCamera { get; }
    public FreshFrameCamera Camera { get; }

    public static async Task<SimBench> StartAsync(SimulatedCameraOptions cameraOptions, SurfaceScene scene)
    {
        var bench = new SimBench(cameraOptions, scene);
        try
        {
            // The panel reports the casing only after its debounce: wait for that, not for a guessed time.
            var casing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            bench.Panel.EventRaised += (_, e) =>
            {
                if (e.Kind == Acquisition.Core.Hardware.PanelEventKind.CasingInserted)
                {
                    casing.TrySetResult();
                }
            };
            bench.Bench.CloseDoor();
            bench.Bench.InsertCasing();
            if (bench.Panel.CasingPresent == true)
            {
                casing.TrySetResult();
            }
            await bench.Stage.ConnectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await bench.Camera.ConfigureAsync(bench.SimCamera.Settings, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await casing.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Camera.DisposeAsync();
        await Stage.DisposeAsync();
        Lights.Dispose();
        Panel.Dispose();
        Gpio.Dispose();
        Bench.Dispose();
        Scene.Dispose();
    }
}
