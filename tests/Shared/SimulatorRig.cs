using System.Device.Gpio;
using Acquisition.Hardware.Camera;
using Acquisition.Hardware.Grbl;
using Acquisition.Hardware.Light;
using Acquisition.Hardware.Panel;
using Acquisition.HardwareSim;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;
using Acquisition.HardwareSim.Surface;

namespace Acquisition.Tests.Shared;

/// <summary>
/// The simulator's bench (GRBL on a pseudo-terminal, GPIO, PCA9685, one virtual clock) driven by the real drivers:
/// GrblStage over a SerialPort, OperatorPanel over a GpioController on the simulated GPIO, RingLight over the real
/// PCA9685 driver on the simulated chip, and the simulated camera behind the real FreshFrameCamera. The workflow's
/// capture tests and the station's calibration tests each add how they bring it up.
/// </summary>
internal abstract class SimulatorRig : IAsyncDisposable
{
    public const double OriginX = -25000;
    public const double OriginY = -25000;
    public const double FocusZ = -10000;

    protected SimulatorRig(SimulatedCameraOptions cameraOptions, SurfaceScene scene, string grblSettingsFile, GrblOptions? grbl = null)
    {
        // A wide quiescence window: on a loaded machine the virtual clock must not jump to a driver's timeout before
        // the simulated controller has even read the command.
        Bench = new SimulatedBench(new SimulatedBenchOptions
        {
            Clock = new SimulationClockOptions { Mode = ClockMode.Virtual, QuiescenceWindow = TimeSpan.FromMilliseconds(70) },
            Grbl = grbl ?? new GrblOptions(),
        });
        Gpio = new GpioController(Bench.Gpio);
        Panel = new OperatorPanel(Gpio, Bench.Pins, new OperatorPanelOptions(), Bench.SimClock);
        Stage = new GrblStage(new GrblStageOptions
        {
            PortName = Bench.SerialPortPath,
            SettingsFile = grblSettingsFile,
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
