using Acquisition.Core.Hardware;
using Acquisition.Hardware.Camera;
using Acquisition.Hardware.Grbl;
using Acquisition.Hardware.Light;
using Acquisition.HardwareSim;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;
using Acquisition.HardwareSim.Surface;
using Acquisition.Workflow.Tests.Fakes;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// A simulated bench from real parts: the simulator's GRBL on a pseudo-terminal driven by the real GrblStage over a
/// SerialPort, the simulated camera behind the real FreshFrameCamera, the real RingLight driver on DC outputs whose
/// light the camera sees, and a fake panel (the simulator's GPIO driver had not landed). All on one virtual clock.
/// </summary>
internal sealed class SimBench : IBenchState, IAsyncDisposable
{
    public const double OriginX = -25000;
    public const double OriginY = -25000;
    public const double FocusZ = -10000;

    private readonly string _dir;

    private SimBench(SimulatedCameraOptions cameraOptions, SurfaceScene scene)
    {
        // A wide quiescence window: on a loaded machine the virtual clock must not jump to a driver's timeout before
        // the simulated controller has even read the command.
        SimClock = new SimulationClock(new SimulationClockOptions { Mode = ClockMode.Virtual, QuiescenceWindow = TimeSpan.FromMilliseconds(100) });
        _dir = Directory.CreateTempSubdirectory("wf-bench-").FullName;
        Grbl = new GrblPtyHost(SimClock, new GrblOptions());
        var port = Path.Combine(_dir, "stage");
        File.CreateSymbolicLink(port, Grbl.PortPath);
        Stage = new GrblStage(new GrblStageOptions
        {
            PortName = port,
            SettingsFile = Path.Combine(TestPaths.FirmwareConfig, "grbl-settings.txt"),
            IdlePollInterval = TimeSpan.Zero,
            SettleTime = TimeSpan.FromMilliseconds(20),
            MotionPollInterval = TimeSpan.FromMilliseconds(250),
        }, SimClock);
        LightBank = new BenchLightBank(SimClock, 8);
        Lights = new RingLight(LightBank, new RingLightOptions { SegmentCount = 8, CoaxialChannel = 8 });
        Scene = scene;
        CameraOptions = cameraOptions with
        {
            SceneOriginXMachineMicrometres = OriginX,
            SceneOriginYMachineMicrometres = OriginY,
            ZAtDatumFocusMicrometres = FocusZ,
        };
        SimCamera = new SimulatedCamera(this, CameraOptions, scene, SimClock.Pause);
        Camera = new FreshFrameCamera(SimCamera, new FreshFrameCameraOptions(), SimClock);
        Panel = new FakePanel(SimClock);
    }

    public SimulationClock SimClock { get; }
    public TimeProvider Clock => SimClock;
    public GrblPtyHost Grbl { get; }
    public GrblStage Stage { get; }
    public BenchLightBank LightBank { get; }
    public RingLight Lights { get; }
    public SurfaceScene Scene { get; }
    public SimulatedCameraOptions CameraOptions { get; }
    public SimulatedCamera SimCamera { get; }
    public FreshFrameCamera Camera { get; }
    public FakePanel Panel { get; }

    public static async Task<SimBench> StartAsync(SimulatedCameraOptions cameraOptions, SurfaceScene scene)
    {
        var bench = new SimBench(cameraOptions, scene);
        try
        {
            await bench.Stage.ConnectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await bench.Camera.ConfigureAsync(bench.SimCamera.Settings, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    public StagePosition TruePositionAt(DateTimeOffset at) => Grbl.Controller.TruePositionAt(at);

    public LightingState LightingAt(DateTimeOffset at) => LightBank.LightingAt(at);

    public async ValueTask DisposeAsync()
    {
        await Camera.DisposeAsync();
        await Stage.DisposeAsync();
        Lights.Dispose();
        Grbl.Dispose();
        SimClock.Dispose();
        Scene.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // temp dir; harmless
        }
    }
}
