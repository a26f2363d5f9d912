using System.Diagnostics;
using System.Text.Json.Nodes;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Imaging.Comparison;
using Acquisition.Imaging.Stacking;
using Acquisition.Imaging.X3p;
using Acquisition.Packaging;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Processing;
using Acquisition.Workflow.Recipes;
using Acquisition.Workflow.Tests.Sim;
using Acquisition.Workflow.Timing;
using OpenCvSharp;

namespace Acquisition.Workflow.Tests.Correlation;

/// <summary>
/// One capture of a simulated 9 mm casing through the station's real pipeline (real drivers over the simulator's
/// GRBL, GPIO and PCA9685; FreshFrameCamera; CaptureSequence with the imaging stacker, the package writer and the
/// station key), then the breech-face height map read back from the sealed, verified package, beside the simulator's
/// true heights on the same pixel grid.
/// </summary>
internal sealed class BreechFaceCapture
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(10);

    private BreechFaceCapture(MaskedHeightMap measured, MaskedHeightMap truth, bool[] regionMask, bool[] inRange, bool[]? footprint,
        CaptureOutcome outcome, (double X, double Y) stageError, TimeSpan wallTime)
    {
        Measured = measured;
        Truth = truth;
        RegionMask = regionMask;
        InRangeMask = inRange;
        ReferenceFootprint = footprint;
        Outcome = outcome;
        ReportedMinusTrueStageMicrometres = stageError;
        WallTime = wallTime;
    }

    /// <summary>
    /// Half the stacker's focus window in full-resolution pixels (its window runs on the half-resolution depth
    /// pipeline): the reach of a defocused neighbour into a pixel's focus measure.
    /// </summary>
    public static int HalfFocusWindowPixels
    {
        get
        {
            var o = StackerOptions();
            return o.FocusWindowPixels * o.HeightDecimation / 2;
        }
    }

    /// <summary>The breech-face X3P from the package, µm (relative to the autofocus plane), NaN where invalid.</summary>
    public MaskedHeightMap Measured { get; }

    /// <summary>The simulator's true heights (µm above the head face) on the measured map's pixel grid.</summary>
    public MaskedHeightMap Truth { get; }

    /// <summary>The station's breech-face QC mask (the recipe's annulus) on the same grid.</summary>
    public bool[] RegionMask { get; }

    /// <summary>
    /// Where the true surface lies inside the stack's z-range, eroded by half the focus window: the region mask with
    /// the firing-pin crater (200 µm deep, far below the breech-face range) masked as the issue allows.
    /// </summary>
    public bool[] InRangeMask { get; }

    /// <summary>
    /// Where the casing carries the reference scan (the simulator laid the X3P there; elsewhere it has its own
    /// procedural marks), eroded by half the focus window; null for a casing without a scan.
    /// </summary>
    public bool[]? ReferenceFootprint { get; }

    public CaptureOutcome Outcome { get; }

    /// <summary>The stage position the capture recorded less the simulator's true one (its hidden scale error and backlash).</summary>
    public (double X, double Y) ReportedMinusTrueStageMicrometres { get; }

    public TimeSpan WallTime { get; }

    /// <summary>
    /// The smallest square sensor at 2.5 µm/px whose overview holds the whole 4.45 mm primer (and its pocket), which
    /// primer location needs; it also covers the whole breech-face mask (4 mm across).
    /// </summary>
    public const int SensorPixels = 1840;

    /// <summary>A square sensor at the default optics (2.5 µm/px, NA 0.3, 1 % read noise, jitter and magnification drift on).</summary>
    public static SimulatedCameraOptions Camera(int sensorPixels) =>
        SimulatedCameraOptions.Default with { Width = sensorPixels, Height = sensorPixels };

    public static async Task<BreechFaceCapture> RunAsync(SimulatedCameraOptions camera, CasingHeadModel casing, bool pressButton,
        Action<string>? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        // Rasterise only what the camera can see (plus a margin for the primer centring moves).
        var halfField = Math.Max(camera.Width, camera.Height) * camera.PixelSizeMicrometres / 2;
        var scene = SurfacePresets.Casing(casing, new SceneExtent(halfField + 300));
        await using var bench = await SimBench.StartAsync(camera, scene).WaitAsync(Guard, cancellationToken);
        using var dir = new TempDirectory();
        var data = new DataDirectory(dir.Path).EnsureCreated();
        var writer = new DurableFileWriter(data);
        var audit = new AuditLog(data, bench.Clock);
        var calibres = BreechFaceOnlyRecipes();
        var calibrations = new CalibrationStore(data, writer, audit, bench.Clock, new CalibrationOptions());
        await calibrations.SeedSimulatorProfileAsync(new SimulatorCalibrationProfile(bench.CameraOptions.PixelSizeMicrometres, bench.CameraOptions.CameraToStageRotationDegrees,
            bench.CameraOptions.MagnificationChangePerMicrometre),
            cancellationToken);
        var keys = new StationKeyStore(data, bench.Clock);
        var options = new CaptureOptions
        {
            StationId = "SIM-0001",
            LoadXMicrometres = SimBench.OriginX,
            LoadYMicrometres = SimBench.OriginY,
            LoadZMicrometres = SimBench.FocusZ,
            SafeZMicrometres = -2000,
            AllowUnsynchronisedClock = true,
            TimeZone = "Etc/UTC",
        };
        // The station's own composition (CaptureComposition): its stacker factory, focus measure and primer detector.
        var sequence = new CaptureSequence(
            new CaptureDevices(bench.Stage, bench.Lights, bench.Camera, bench.Panel),
            new CaptureProcessing(new ImagingStackAccumulatorFactory(), new LaplacianVarianceFocusMeasure(0.9), new HoughPrimerDetector()),
            calibres, calibrations, audit, data,
            new EvidencePackageWriterFactory(data, writer, keys, bench.Clock, new EvidencePackageSettings("SIM-0001")),
            new KernelClockSyncProbe(), new DriveDiskSpaceProbe(), bench.Clock, options, new MotionProfile());

        if (progress is not null)
        {
            var last = (CapturePhase?)null;
            sequence.Progress += (_, p) =>
            {
                if (p.Phase != last || (p.Slice % 10 == 0 && p.Lighting == "coaxial"))
                {
                    progress($"{watch.Elapsed.TotalSeconds:0.0} s wall: {p.Phase} {p.Region} {p.Lighting} slice {p.Slice}, virtual {p.Elapsed.TotalSeconds:0.0} s");
                    last = p.Phase;
                }
            };
        }
        CaptureOutcome outcome;
        if (pressButton)
        {
            // A real short press on the simulated button, through the simulated GPIO and the panel driver's debounce.
            var cases = new CaseContextStore(data, writer, audit, calibres, new CaseContextOptions { Preset = SequenceHarness.Case() });
            using var button = new CaptureButton(bench.Panel, cases, sequence, "tech01");
            var finished = new TaskCompletionSource<CaptureOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            button.CaptureFinished += (_, o) => finished.TrySetResult(o);
            button.PressRefused += (_, r) => finished.TrySetException(new InvalidOperationException("press refused: " + r));
            await bench.Bench.PressAsync(TimeSpan.FromMilliseconds(200), cancellationToken).WaitAsync(Guard, cancellationToken);
            outcome = await finished.Task.WaitAsync(Guard, cancellationToken);
        }
        else
        {
            outcome = await sequence.RunAsync(SequenceHarness.Case(), "tech01", cancellationToken).WaitAsync(Guard, cancellationToken);
        }
        if (outcome.Status != CaptureStatus.Complete || outcome.PackagePath is null)
        {
            var regions = string.Join(" / ", outcome.Record.Regions.SelectMany(r => r.Attempts.Select(a => $"{r.Region}#{a.Attempt}: {a.Metrics} {string.Join("; ", a.Reasons)}")));
            throw new InvalidOperationException($"The capture did not complete: {outcome.Status}: {string.Join(" | ", outcome.Record.Reasons)} [{regions}]");
        }
        var verification = await PackageVerifier.VerifyAsync(outcome.PackagePath, keys.TrustedKeyIds(), cancellationToken);
        if (!verification.IsValid)
        {
            throw new InvalidOperationException("The sealed package does not verify: " + string.Join("; ", verification.Problems));
        }

        var x3p = X3pReader.Read(Path.Combine(outcome.PackagePath, "regions", "BreechFace", "height.x3p"));
        var measured = MaskedHeightMap.FromX3p(x3p.Surface);
        var region = outcome.Record.Regions.Single(r => r.Region == nameof(Region.BreechFace));
        var recipe = calibres.RecipeFor(calibres.Resolve("9mm Luger")).Regions.Single(r => r.Region == Region.BreechFace);

        // The stacker's output grid is that of the stack's first slice: the stage at the region's X/Y and the first
        // slice's Z (whose magnification the simulator applies). The truth is rendered on exactly that grid, at the
        // stage's true X/Y: the simulated stage has a hidden scale error the controller cannot see (about 1.5 px here),
        // which is a stage calibration matter, not a height error. Only Z moves after the stack, so X/Y now is X/Y then.
        var trueNow = bench.Bench.TruePositionAt(bench.Clock.GetUtcNow());
        var firstSlice = StagePosition.FromMicrometres(trueNow.X.Value, trueNow.Y.Value, region.SliceZMicrometres[0]);
        var stageError = (region.StageXMicrometres - trueNow.X.Value, region.StageYMicrometres - trueNow.Y.Value);
        using var truth = bench.SimCamera.GroundTruth(firstSlice, LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.35));
        if (truth.HeightMicrometres.Cols != measured.Width || truth.HeightMicrometres.Rows != measured.Height)
        {
            throw new InvalidOperationException($"The X3P is {measured.Width}×{measured.Height} but the sensor is {truth.HeightMicrometres.Cols}×{truth.HeightMicrometres.Rows}.");
        }
        var truthHeights = new float[measured.Width * measured.Height];
        using (var copy = truth.HeightMicrometres.Clone())
        {
            System.Runtime.InteropServices.Marshal.Copy(copy.Data, truthHeights, 0, truthHeights.Length);
        }
        var pixel = PixelCalibration.FromRecord(calibrations.LatestValid(CalibrationKind.PixelSize, bench.Clock.GetUtcNow())!);
        var mask = RegionQualityEvaluator.Mask(measured.Width, measured.Height, recipe.Mask, pixel);

        // The measured heights are relative to the autofocus plane; the truth is relative to the head face.
        var focusPlane = outcome.Record.Autofocus!.FocusZMicrometres - bench.CameraOptions.ZAtDatumFocusMicrometres;
        var inRange = new bool[truthHeights.Length];
        for (var i = 0; i < inRange.Length; i++)
        {
            var h = truthHeights[i] - focusPlane;
            inRange[i] = mask[i] && h >= recipe.ZFrom.Value && h <= recipe.ZTo.Value;
        }
        inRange = Erode(inRange, measured.Width, measured.Height, HalfFocusWindowPixels);

        bool[]? footprint = null;
        if (casing.BreechFaceX3pPath is { } scanPath)
        {
            footprint = Erode(Footprint(bench, firstSlice, measured.Width, measured.Height, casing, scanPath), measured.Width, measured.Height, HalfFocusWindowPixels);
        }
        return new BreechFaceCapture(measured, new MaskedHeightMap(measured.Width, measured.Height, measured.PixelSizeMicrometres, truthHeights),
            mask, inRange, footprint, outcome, stageError, watch.Elapsed);
    }

    /// <summary>Frame pixels whose scene point carries a valid point of the scan laid on the breech face.</summary>
    private static bool[] Footprint(SimBench bench, StagePosition position, int width, int height, CasingHeadModel casing, string scanPath)
    {
        if (casing.BreechFaceRotationDegrees != 0)
        {
            throw new NotSupportedException("The footprint assumes the scan is laid unrotated.");
        }
        var scan = X3pReader.Read(scanPath).Surface;
        var step = scan.IncrementXMetres * 1e6;
        // The camera's pixel → scene mapping is affine: three points give it.
        var renderer = bench.SimCamera.Renderer;
        var o = renderer.SceneCoordinatesOf(position, 0, 0);
        var u = renderer.SceneCoordinatesOf(position, 1, 0);
        var v = renderer.SceneCoordinatesOf(position, 0, 1);
        var result = new bool[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var sx = o.X + ((u.X - o.X) * x) + ((v.X - o.X) * y);
                var sy = o.Y + ((u.Y - o.Y) * x) + ((v.Y - o.Y) * y);
                // The simulator centres the scan's point (SizeX/2, SizeY/2) on the primer centre, the scene origin.
                var i = (int)Math.Round((sx / step) + (scan.SizeX / 2.0));
                var j = (int)Math.Round((sy / step) + (scan.SizeY / 2.0));
                result[x + (y * width)] = i >= 0 && j >= 0 && i < scan.SizeX && j < scan.SizeY && !double.IsNaN(scan.HeightMetresAt(i, j));
            }
        }
        return result;
    }

    private static bool[] Erode(bool[] mask, int width, int height, int radius)
    {
        using var m = new Mat(height, width, MatType.CV_8UC1);
        var bytes = mask.Select(b => b ? (byte)255 : (byte)0).ToArray();
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, m.Data, bytes.Length);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size((2 * radius) + 1, (2 * radius) + 1));
        Cv2.Erode(m, m, kernel, borderType: BorderTypes.Constant, borderValue: Scalar.All(0));
        System.Runtime.InteropServices.Marshal.Copy(m.Data, bytes, 0, bytes.Length);
        return bytes.Select(b => b != 0).ToArray();
    }

    /// <summary>The station's stacker settings, as CaptureComposition uses them.</summary>
    private static FocusStackerOptions StackerOptions() => new();

    /// <summary>
    /// The real recipes and calibre table, with the 9 mm recipe cut down to its breech-face region (same overview,
    /// autofocus, z-range, 2 µm step, lightings, exposure, mask and QC): the other regions are not under test here
    /// and would double the capture's cost.
    /// </summary>
    public const double AutofocusRangeMicrometres = 160;

    private static CalibreTable BreechFaceOnlyRecipes()
    {
        var dir = TestPaths.FirmwareConfig;
        var recipes = new List<(string, byte[])>();
        foreach (var file in Directory.GetFiles(Path.Combine(dir, "recipes"), "*.json").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            var json = JsonNode.Parse(bytes)!.AsObject();
            if ((string?)json["name"] == "9mm Luger")
            {
                var regions = json["regions"]!.AsArray();
                var breechFace = regions.Single(r => (string?)r!["region"] == nameof(Region.BreechFace))!.DeepClone();
                json["regions"] = new JsonArray(breechFace);
                // The simulated casing sits at the datum: a ±80 µm sweep finds the primer plane (40 µm below the head
                // face) as surely as ±200 µm, at less than half the frames.
                json["overview"]!["autofocusRangeMicrometres"] = AutofocusRangeMicrometres;
                bytes = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
            }
            recipes.Add(("recipes/" + Path.GetFileName(file), bytes));
        }
        return RecipeLoader.Load(("calibres.json", File.ReadAllBytes(Path.Combine(dir, "calibres.json"))), recipes);
    }
}
