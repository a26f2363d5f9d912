using Microsoft.Extensions.Logging.Testing;
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

    /// <param name="bench">The simulated bench.</param>
    /// <param name="preset">The current case (default <see cref="SequenceHarness.Case"/>).</param>
    /// <param name="firmwareConfig">Recipes and calibres (default the repository's firmware-config).</param>
    /// <param name="seedCalibrations">False leaves the calibration store empty.</param>
    /// <param name="stationClock">
    /// The station's clock for stores, audit and package timestamps, as the station composes it (the system clock)
    /// while the devices run on the bench's; default: the bench's clock for everything.
    /// </param>
    /// <param name="configure">Adjusts the capture options before the sequence is built.</param>
    public StationRig(SimBench bench, CaseContext? preset = null, string? firmwareConfig = null, bool seedCalibrations = true,
        TimeProvider? stationClock = null, Action<CaptureOptions>? configure = null)
    {
        Bench = bench;
        var stamps = stationClock ?? bench.Clock;
        Data = new DataDirectory(_dir.Path).EnsureCreated();
        Writer = new DurableFileWriter(Data);
        Audit = new AuditLog(Data, stamps);
        Calibres = RecipeLoader.LoadDirectory(firmwareConfig ?? TestPaths.FirmwareConfig);
        Calibrations = new CalibrationStore(Data, Writer, Audit, stamps, new CalibrationOptions());
        if (seedCalibrations)
        {
            Calibrations.SeedSimulatorProfileAsync(new SimulatorCalibrationProfile(bench.CameraOptions.PixelSizeMicrometres, bench.CameraOptions.CameraToStageRotationDegrees),
                CancellationToken.None).GetAwaiter().GetResult();
        }
        Keys = new StationKeyStore(Data, stamps);
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
        configure?.Invoke(Options);
        Sequence = new CaptureSequence(
            new CaptureDevices(bench.Stage, bench.Lights, bench.Camera, bench.Panel),
            new CaptureProcessing(
                new ImagingStackAccumulatorFactory(),
                new LaplacianVarianceFocusMeasure(0.9), new HoughPrimerDetector()),
            Calibres, Calibrations, Audit, Data,
            new EvidencePackageWriterFactory(Data, Writer, Keys, stamps, new EvidencePackageSettings("SIM-0001")),
            new KernelClockSyncProbe(), new DriveDiskSpaceProbe(), bench.Clock, Options, new MotionProfile(), log: Log, stationClock: stationClock);
    }

    public SimBench Bench { get; }

    /// <summary>What the capture sequence logged.</summary>
    public FakeLogger<CaptureSequence> Log { get; } = new();
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
