using Acquisition.Core.Domain;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Processing;
using Acquisition.Workflow.Recipes;
using Acquisition.Workflow.Tests.Fakes;
using Acquisition.Workflow.Timing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Acquisition.Workflow.Tests;

/// <summary>The capture sequence over fakes, with a real data directory, audit log and calibration store.</summary>
internal sealed class SequenceHarness : IDisposable
{
    public const double PixelSizeMicrometres = 100;

    private readonly TempDirectory _dir = new();

    public SequenceHarness(bool seedCalibrations = true)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        Data = new DataDirectory(_dir.Path).EnsureCreated();
        Writer = new DurableFileWriter(Data);
        Audit = new AuditLog(Data, Time);
        Calibres = RecipeLoader.LoadDirectory(TestPaths.FirmwareConfig);
        Calibrations = new CalibrationStore(Data, Writer, Audit, Time, new CalibrationOptions());
        if (seedCalibrations)
        {
            Calibrations.SeedSimulatorProfileAsync(new SimulatorCalibrationProfile(PixelSizeMicrometres), CancellationToken.None).GetAwaiter().GetResult();
        }
        Stage = new FakeStage(Time);
        Lights = new FakeLights();
        Camera = new FakeCamera();
        Panel = new FakePanel(Time);
        Focus = new FakeFocus(Stage);
        Detector = Substitute.For<IPrimerDetector>();
        Detector.Detect(default!, default, default, default).ReturnsForAnyArgs(ci =>
        {
            var f = ci.ArgAt<Acquisition.Core.Hardware.Frame>(0);
            return new PrimerDetection((f.Width - 1) / 2.0, (f.Height - 1) / 2.0, 4450 / 2.0 / PixelSizeMicrometres);
        });
        Stacker = new FakeStacker();
        Packages = new FakePackageWriter();
        Clock = Substitute.For<IClockSyncProbe>();
        Clock.IsSynchronised(out Arg.Any<string>()).Returns(x =>
        {
            x[0] = "test clock";
            return ClockSynchronised;
        });
        Disk = Substitute.For<IDiskSpaceProbe>();
        Disk.AvailableBytes(default!).ReturnsForAnyArgs(_ => FreeBytes);
        Station = new StationStateMachine(Time);
        Station.TransitionTo(StationState.Ready, "test");
    }

    public FakeTimeProvider Time { get; }
    public DataDirectory Data { get; }
    public DurableFileWriter Writer { get; }
    public AuditLog Audit { get; }
    public CalibreTable Calibres { get; }
    public CalibrationStore Calibrations { get; }
    public FakeStage Stage { get; }
    public FakeLights Lights { get; }
    public FakeCamera Camera { get; }
    public FakePanel Panel { get; }
    public FakeFocus Focus { get; }
    public IPrimerDetector Detector { get; }
    public FakeStacker Stacker { get; }
    public FakePackageWriter Packages { get; }
    public IClockSyncProbe Clock { get; }
    public IDiskSpaceProbe Disk { get; }
    public StationStateMachine Station { get; }
    public bool ClockSynchronised { get; set; } = true;
    public long FreeBytes { get; set; } = 100L * 1024 * 1024 * 1024;
    public CaptureOptions Options { get; } = new() { SafeZMicrometres = -1000 };

    public static CaseContext Case(string calibre = "9mm Luger") => new()
    {
        Agency = "TX2270000",
        CaseNumber = "2026-0042",
        Exhibit = "E1",
        Item = "1",
        Calibre = calibre,
        OperatorId = "tech01",
        SearchProtocol = new SearchProtocolFlags(RecoveredNearBorder: true),
    };

    public CaptureSequence Build() => new(
        new CaptureDevices(Stage, Lights, Camera, Panel),
        new CaptureProcessing(Stacker, Focus, Detector),
        Calibres, Calibrations, Audit, Data, Packages, Clock, Disk, Time, Options, new MotionProfile(), Station);

    public Task<CaptureOutcome> RunAsync(string calibre = "9mm Luger") =>
        Build().RunAsync(Case(calibre), "tech01", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

    public void Dispose() => _dir.Dispose();
}
