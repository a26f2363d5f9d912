using System.Device.Gpio;
using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Hardware.Camera;
using Acquisition.Hardware.Grbl;
using Acquisition.Hardware.Light;
using Acquisition.Hardware.Panel;
using Acquisition.HardwareSim;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;
using Acquisition.HardwareSim.Surface;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Calibration.Procedures;

namespace Acquisition.Station.Tests.Calibration;

/// <summary>
/// The simulator's bench with a calibration target under the objective and a hidden truth (pixel size, rotation,
/// vignetting, segment efficiencies, Z lead-screw error and backlash), driven by the real drivers: GrblStage over a
/// SerialPort on the bench's pty, RingLight over the simulated PCA9685, the simulated camera behind FreshFrameCamera.
/// The stage is homed and parked over the target's centre at the datum focus.
/// </summary>
internal sealed class CalibrationBench : IAsyncDisposable
{
    public const double OriginX = -25000;
    public const double OriginY = -25000;
    public const double FocusZ = -10000;
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(120);

    private CalibrationBench(SimulatedCameraOptions cameraOptions, SurfaceScene scene, GrblOptions grbl)
    {
        Bench = new SimulatedBench(new SimulatedBenchOptions
        {
            Clock = new SimulationClockOptions { Mode = ClockMode.Virtual, QuiescenceWindow = TimeSpan.FromMilliseconds(70) },
            Grbl = grbl,
        });
        Gpio = new GpioController(Bench.Gpio);
        Panel = new OperatorPanel(Gpio, Bench.Pins, new OperatorPanelOptions(), Bench.SimClock);
        Stage = new GrblStage(new GrblStageOptions
        {
            PortName = Bench.SerialPortPath,
            SettingsFile = RepositoryPaths.FirmwareConfig("grbl-settings.txt"),
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
        Devices = new CalibrationDevices(Stage, Camera, Lights, Bench.SimClock);
    }

    public SimulatedBench Bench { get; }
    public GpioController Gpio { get; }
    public OperatorPanel Panel { get; }
    public GrblStage Stage { get; }
    public RingLight Lights { get; }
    public SurfaceScene Scene { get; }
    public SimulatedCameraOptions CameraOptions { get; }
    public SimulatedCamera SimCamera { get; }
    public FreshFrameCamera Camera { get; }
    public CalibrationDevices Devices { get; }

    public static async Task<CalibrationBench> StartAsync(SimulatedCameraOptions cameraOptions, SurfaceScene scene, GrblOptions? grbl = null,
        double lightLevel = 0.25, double zOffsetMicrometres = 0)
    {
        var bench = new CalibrationBench(cameraOptions, scene, grbl ?? new GrblOptions());
        try
        {
            bench.Bench.CloseDoor();
            await bench.Stage.ConnectAsync(CancellationToken.None).WaitAsync(Guard);
            await bench.Camera.ConfigureAsync(bench.SimCamera.Settings, CancellationToken.None).WaitAsync(Guard);
            await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
            await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(OriginX, OriginY, FocusZ - 100), CancellationToken.None).WaitAsync(Guard);
            await bench.Stage.MoveZFromBelowAsync(new Acquisition.Core.Units.Micrometres(FocusZ + zOffsetMicrometres), CancellationToken.None).WaitAsync(Guard);
            await bench.Lights.SetAsync(LightingState.Segmented(8, Enumerable.Range(0, 8), lightLevel), CancellationToken.None);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    /// <summary>A calibration store and runner on a fresh data directory, for tests that check the records.</summary>
    public static (CalibrationStore Store, CalibrationRunner Runner, DataDirectory Data) Recording(CalibrationDevices devices, string root)
    {
        var data = new DataDirectory(root).EnsureCreated();
        var writer = new DurableFileWriter(data);
        var audit = new AuditLog(data, TimeProvider.System);
        var store = new CalibrationStore(data, writer, audit, TimeProvider.System, new CalibrationOptions());
        return (store, new CalibrationRunner(devices, store, data, writer, "test"), data);
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
