using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Grbl;
using Acquisition.HardwareSim.Surface;
using Acquisition.Tests.Shared;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Calibration.Procedures;

namespace Acquisition.Station.Tests.Calibration;

/// <summary>
/// The shared simulator rig with a calibration target under the objective and a hidden truth (pixel size, rotation,
/// vignetting, segment efficiencies, Z lead-screw error and backlash). The stage is homed and parked over the
/// target's centre at the datum focus.
/// </summary>
internal sealed class CalibrationBench : SimulatorRig
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(120);

    private CalibrationBench(SimulatedCameraOptions cameraOptions, SurfaceScene scene, GrblOptions grbl)
        : base(cameraOptions, scene, RepositoryPaths.FirmwareConfig("grbl-settings.txt"), grbl)
    {
        Devices = new CalibrationDevices(Stage, Camera, Lights, Bench.SimClock);
    }

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
}
