using Acquisition.Core.Domain;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Processing;
using Acquisition.Workflow.Recipes;
using Acquisition.Workflow.Timing;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>The workflow wired to a <see cref="SimBench"/> with the real stores, package writer and imaging.</summary>
internal sealed class StationRig : IDisposable
{
    private readonly TempDirectory _dir = new();

    public StationRig(SimBench bench, CaseContext? preset = null)
    {
        Bench = bench;
        Data = new DataDirectory(_dir.Path).EnsureCreated();
        Writer = new DurableFileWriter(Data);
        Audit = new AuditLog(Data, bench.Clock);
        Calibres = RecipeLoader.LoadDirectory(TestPaths.FirmwareConfig);
        Calibrations = new CalibrationStore(Data, Writer, Audit, bench.Clock, new CalibrationOptions());
        Calibrations.SeedSimulatorProfileAsync(new SimulatorCalibrationProfile(bench.CameraOptions.PixelSizeMicrometres, bench.CameraOptions.CameraToStageRotationDegrees),
            CancellationToken.None).GetAwaiter().GetResult();
        Keys = new StationKeyStore(Data, bench.Clock);
        Cases = new CaseContextStore(Data, Writer, Audit, Calibres, new CaseContextOptions { Preset = preset ?? SequenceHarness.Case() });
        Options = new CaptureOptions
        {
            StationId = "SIM-0001",
            LoadXMicrometres = SimBench.OriginX,
            LoadYMicrometres = SimBench.OriginY,
            LoadZMicrometres = SimBench.FocusZ,
            SafeZMicrometres = -2000,
            AllowUnsynchronisedClock = true,
            TimeZone = "Etc/UTC",
        };
        Sequence = new CaptureSequence(
            new CaptureDevices(bench.Stage, bench.Lights, bench.Camera, bench.Panel),
            new CaptureProcessing(new ImagingStackAccumulatorFactory(), new LaplacianVarianceFocusMeasure(0.9), new HoughPrimerDetector()),
            Calibres, Calibrations, Audit, Data,
            new EvidencePackageWriterFactory(Data, Writer, Keys, Calibrations, bench.Clock, new EvidencePackageSettings("SIM-0001")),
            new KernelClockSyncProbe(), new DriveDiskSpaceProbe(), bench.Clock, Options, new MotionProfile());
    }

    public SimBench Bench { get; }
    public DataDirectory Data { get; }
    public DurableFileWriter Writer { get; }
    public AuditLog Audit { get; }
    public CalibreTable Calibres { get; }
    public CalibrationStore Calibrations { get; }
    public StationKeyStore Keys { get; }
    public CaseContextStore Cases { get; }
    public CaptureOptions Options { get; }
    public CaptureSequence Sequence { get; }

    public void Dispose() => _dir.Dispose();
}
