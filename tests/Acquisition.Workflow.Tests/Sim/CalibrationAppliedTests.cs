using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Calibration.Procedures;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;
using Acquisition.Workflow.Recipes;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// Calibrations recorded by the procedures are applied by a capture, against the simulator's hidden truths: the flat
/// field against its vignetting (for a recipe lighting the procedure calibrated, and for a mixed one composed from the
/// single sources' maps), the magnification change against the optics'. The calibration runs on a second bench with the calibration target under the same
/// simulated optics (the station's target swap), recording into the capture station's store.
/// </summary>
public sealed class CalibrationAppliedTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_flat_field_gain_map_takes_the_hidden_vignetting_out_of_the_fused_image_and_capture_json_names_it()
    {
        // The corners get 70 % of the centre's light: the shading a flat field must take out.
        var camera = SimBench.QuarterResolution with { VignettingAtCorner = 0.3 };
        await using var bench = await SimBench.StartAsync(camera, SurfacePresets.DefaultCasing());
        using var recipe = new FaultRecipe();
        using var rig = new StationRig(bench, firmwareConfig: recipe.Path);

        await using (var target = await SimBench.StartAsync(camera, SurfacePresets.DiffuseWhite(halfWidthMicrometres: 4000)))
        {
            await target.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
            await target.Stage.MoveToAsync(StagePosition.FromMicrometres(SimBench.OriginX, SimBench.OriginY, SimBench.FocusZ - 100), CancellationToken.None).WaitAsync(Guard);
            await target.Stage.MoveZFromBelowAsync(new Micrometres(SimBench.FocusZ), CancellationToken.None).WaitAsync(Guard);
            var runner = new CalibrationRunner(new CalibrationDevices(target.Stage, target.Camera, target.Lights, target.Clock), rig.Calibrations, rig.Data, rig.Writer, "test");
            var calibrated = await runner.RunAsync(CalibrationKind.FlatField, new CalibrationRequest("diffuse", new Dictionary<string, double> { ["framesAveraged"] = 4 }),
                "alice", null, CancellationToken.None).WaitAsync(Guard);
            Assert.Equal("flat-field-v2", calibrated.Record.Id);
        }

        var corrected = await CaptureAsync(rig);
        var flat = corrected.Record.CalibrationsApplied.Single(a => a.Kind == nameof(CalibrationKind.FlatField));
        Assert.Equal("flat-field-v2", flat.RecordId);
        Assert.True(flat.Applied, flat.Detail);
        Assert.StartsWith("ring-all: gain-ring-all-", flat.PerLighting!["ring-oblique"]);
        Assert.Contains(corrected.Record.Calibrations, c => c.Id == "flat-field-v2");
        using (var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(corrected.PackagePath!, "capture.json"))))
        {
            var applied = json.RootElement.GetProperty("calibrationsApplied").EnumerateArray().Single(a => a.GetProperty("kind").GetString() == "FlatField");
            Assert.Equal("flat-field-v2", applied.GetProperty("recordId").GetString());
        }
        var correctedSpread = Spread(bench, corrected);

        // The same casing again with an identity flat field recorded on top: no correction.
        await rig.Calibrations.RecordAsync(CalibrationKind.FlatField, JsonSerializer.SerializeToElement(new { identity = true, lightings = Array.Empty<string>() }),
            "alice", null, null, CancellationToken.None);
        var uncorrected = await CaptureAsync(rig);
        Assert.False(uncorrected.Record.CalibrationsApplied.Single(a => a.Kind == nameof(CalibrationKind.FlatField)).Applied);
        var uncorrectedSpread = Spread(bench, uncorrected);

        output.WriteLine($"fused ÷ true (vignetting-free) image, 10th–90th percentile spread over 64-pixel blocks: {correctedSpread:P1} with the gain map, {uncorrectedSpread:P1} without");
        Assert.True(uncorrectedSpread > 0.12, $"without the gain map the vignetting should show: spread {uncorrectedSpread:P1}");
        // Measured 3.8 % against 16.8 % (2026-11-23): what is left is the fused image's own focus and texture.
        Assert.True(correctedSpread < 0.06 && correctedSpread < uncorrectedSpread / 3,
            $"with the gain map the fused image should follow the true shading within 6 %: spread {correctedSpread:P1} (without: {uncorrectedSpread:P1})");
    }

    [Fact]
    public async Task The_pixel_size_procedure_recovers_the_hidden_magnification_drift_and_the_capture_applies_it()
    {
        // Strongly non-telecentric optics (0.04 % per µm, 12× the default) on a 10 px-period dot grid, where an
        // unrefined measurement aliases (it read 1.55e-4).
        const double truthPerMicrometre = 4e-4;
        var camera = SimBench.QuarterResolution with { MagnificationChangePerMicrometre = truthPerMicrometre };
        await using var bench = await SimBench.StartAsync(camera, SurfacePresets.DefaultCasing());
        using var recipe = new FaultRecipe();
        using var rig = new StationRig(bench, firmwareConfig: recipe.Path);

        await using (var target = await SimBench.StartAsync(camera, SurfacePresets.DotGrid(100, 40, halfWidthMicrometres: 4000)))
        {
            await target.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
            await target.Stage.MoveToAsync(StagePosition.FromMicrometres(SimBench.OriginX, SimBench.OriginY, SimBench.FocusZ - 100), CancellationToken.None).WaitAsync(Guard);
            await target.Stage.MoveZFromBelowAsync(new Micrometres(SimBench.FocusZ), CancellationToken.None).WaitAsync(Guard);
            var runner = new CalibrationRunner(new CalibrationDevices(target.Stage, target.Camera, target.Lights, target.Clock), rig.Calibrations, rig.Data, rig.Writer, "test");
            await runner.RunAsync(CalibrationKind.PixelSize, new CalibrationRequest("dot-grid", new Dictionary<string, double> { ["framesAveraged"] = 2 }),
                "alice", null, CancellationToken.None).WaitAsync(Guard);
        }
        var measuredRecord = rig.Calibrations.History(CalibrationKind.PixelSize)[^1];
        Assert.Equal("pixel-size-v2", measuredRecord.Id);
        var measured = measuredRecord.Values.GetProperty("magnificationChangePerMicrometre").GetDouble();
        output.WriteLine($"magnification change: measured {measured:0.###e+0} per µm, truth {truthPerMicrometre:0.###e+0}; halves {measuredRecord.Residuals!.Value.GetProperty("magnificationHalfSpanPerMicrometre")}");
        // Measured 4.04e-4 to 4.08e-4 (2026-11-23).
        Assert.InRange(measured, truthPerMicrometre * 0.95, truthPerMicrometre * 1.05);

        // The station's own pixel size with the measured change (this test is about the magnification only).
        await rig.Calibrations.RecordAsync(CalibrationKind.PixelSize, JsonSerializer.SerializeToElement(new
        {
            pixelSizeXMicrometres = camera.PixelSizeMicrometres,
            pixelSizeYMicrometres = camera.PixelSizeMicrometres,
            rotationDegrees = 0.0,
            magnificationChangePerMicrometre = measured,
        }), "alice", null, null, CancellationToken.None);
        var outcome = await CaptureAsync(rig);
        var applied = outcome.Record.CalibrationsApplied.Single(a => a.Kind == "Magnification");
        Assert.True(applied.Applied, applied.Detail);
        Assert.Equal("pixel-size-v3", applied.RecordId);
        Assert.Contains(outcome.Record.Calibrations, c => c.Id == "pixel-size-v3");
        var withFused = RegisterBreechFace(bench, outcome);

        // The same casing with a pixel-size record that holds no magnification change: slices by translation only.
        await rig.Calibrations.RecordAsync(CalibrationKind.PixelSize, JsonSerializer.SerializeToElement(new
        {
            pixelSizeXMicrometres = camera.PixelSizeMicrometres,
            pixelSizeYMicrometres = camera.PixelSizeMicrometres,
            rotationDegrees = 0.0,
        }), "alice", null, null, CancellationToken.None);
        var uncorrected = await CaptureAsync(rig);
        Assert.False(uncorrected.Record.CalibrationsApplied.Single(a => a.Kind == "Magnification").Applied);
        var withoutFused = RegisterBreechFace(bench, uncorrected);
        output.WriteLine($"captured breech-face fused image against the truth: with the measured change {withFused}; without {withoutFused}");
        Assert.True(Math.Abs(withFused.ScaleError) < Math.Abs(withoutFused.ScaleError) / 3 && Math.Abs(withFused.ScaleError) < 0.002,
            $"with the measured change the capture's grid should be the truth's: {withFused} (without: {withoutFused})");
    }

    /// <summary>
    /// The breech-face fused image of a capture registered to the truth rendered at the stage's true X/Y and the stack's
    /// first slice (the stacker's output grid, which the height map shares), as BreechFaceCapture does.
    /// </summary>
    private static GridRegistration RegisterBreechFace(SimBench bench, CaptureOutcome outcome)
    {
        var region = outcome.Record.Regions.Single(r => r.Region == nameof(Region.BreechFace));
        var trueNow = bench.Bench.TruePositionAt(bench.Clock.GetUtcNow());
        var firstSlice = StagePosition.FromMicrometres(trueNow.X.Value, trueNow.Y.Value, region.SliceZMicrometres[0]);
        using var truth = bench.SimCamera.GroundTruth(firstSlice, LightingState.Segmented(8, Enumerable.Range(0, 8), 0.35));
        using var fused = Cv2.ImRead(Path.Combine(outcome.PackagePath!, "regions", "BreechFace", "fused-ring-oblique.png"), ImreadModes.Unchanged);
        return GridRegistration.Of(fused, truth.AllInFocus);
    }

    [Fact]
    public async Task A_mixed_lighting_is_flattened_by_a_gain_map_composed_from_its_single_sources_maps()
    {
        var camera = SimBench.QuarterResolution with { VignettingAtCorner = 0.3 };
        await using var target = await SimBench.StartAsync(camera, SurfacePresets.DiffuseWhite(halfWidthMicrometres: 4000));
        using var dir = new TempDirectory();
        var data = new DataDirectory(dir.Path).EnsureCreated();
        var writer = new DurableFileWriter(data);
        var store = new CalibrationStore(data, writer, new AuditLog(data, target.Clock), target.Clock, new CalibrationOptions());
        await target.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
        await target.Stage.MoveToAsync(StagePosition.FromMicrometres(SimBench.OriginX, SimBench.OriginY, SimBench.FocusZ - 100), CancellationToken.None).WaitAsync(Guard);
        await target.Stage.MoveZFromBelowAsync(new Micrometres(SimBench.FocusZ), CancellationToken.None).WaitAsync(Guard);
        var devices = new CalibrationDevices(target.Stage, target.Camera, target.Lights, target.Clock);
        var calibrated = await new CalibrationRunner(devices, store, data, writer, "test").RunAsync(CalibrationKind.FlatField,
            new CalibrationRequest("diffuse", new Dictionary<string, double> { ["framesAveraged"] = 4 }), "alice", null, CancellationToken.None).WaitAsync(Guard);
        Assert.True(calibrated.Record.Values.GetProperty("gainMaps").GetProperty("segment-1").TryGetProperty("meanFractionOfFullScale", out _));

        // Three neighbouring segments and the coaxial light: neither the whole ring nor one source, so no map of its own.
        var mixed = new LightingStep("mixed", [1, 2, 3], 0.3, 0.1);
        var probe = await target.Camera.CaptureAsync(target.Clock.GetUtcNow(), CancellationToken.None).WaitAsync(Guard);
        using var calibrations = CaptureCalibrations.Load(store, [calibrated.Record], target.Clock.GetUtcNow(), [mixed], 8, probe.Width, probe.Height);
        var detail = calibrations.Applied.Single(a => a.Kind == nameof(CalibrationKind.FlatField)).PerLighting!["mixed"];
        Assert.StartsWith("composed from segment-1 × ", detail);
        Assert.Contains("coaxial × ", detail);
        var gain = calibrations.GainFor("mixed")!;

        // Fresh frames of the white target under the mixed lighting, raw and flattened as a capture flattens them.
        await target.Lights.SetAsync(calibrations.Light(mixed, 8), CancellationToken.None).WaitAsync(Guard);
        using var raw = new Mat(probe.Height, probe.Width, MatType.CV_32FC1, Scalar.All(0));
        using var flattened = new Mat(probe.Height, probe.Width, MatType.CV_32FC1, Scalar.All(0));
        var fullScale = probe.Format == PixelFormat.Mono8 ? 255.0 : 4095.0;
        var saturated = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var frame = await target.Camera.CaptureAsync(target.Clock.GetUtcNow(), CancellationToken.None).WaitAsync(Guard);
            using var image = ToFloat(frame);
            using var atFull = new Mat();
            Cv2.Threshold(image, atFull, fullScale - 0.5, 1, ThresholdTypes.Binary);
            saturated = Math.Max(saturated, Cv2.Sum(atFull).Val0 / image.Total());
            Cv2.Add(raw, image, raw);
            using var corrected = ToFloat(CaptureCalibrations.Flatten(frame, gain));
            Cv2.Add(flattened, corrected, flattened);
        }
        Assert.True(saturated < 0.001, $"the white target saturates under the mixed lighting: {saturated:P2}");
        var before = NonUniformityPercent(raw);
        var after = NonUniformityPercent(flattened);
        output.WriteLine($"white target under the mixed lighting, peak-to-valley of 32-px block means: {before:0.00} % raw, {after:0.00} % flattened with the composed gain map ({detail})");
        Assert.True(before > 15, $"the vignetting should show under the mixed lighting: {before:0.00} %");
        // The flat-field procedure's own acceptance limit for a lighting it calibrated.
        Assert.True(after < FlatFieldProcedure.ResidualLimitPercent, $"the composed map should flatten the mixed lighting within {FlatFieldProcedure.ResidualLimitPercent} %: {after:0.00} % (raw {before:0.00} %)");
    }

    private static Mat ToFloat(Frame frame)
    {
        using var m = Mat.FromPixelData(frame.Height, frame.Width, frame.BytesPerPixel == 1 ? MatType.CV_8UC1 : MatType.CV_16UC1, frame.Data);
        var result = new Mat();
        m.ConvertTo(result, MatType.CV_32FC1);
        return result;
    }

    /// <summary>Peak-to-valley of 32×32-pixel block means over their mean, as the flat-field procedure judges its residual.</summary>
    private static double NonUniformityPercent(Mat image)
    {
        const int block = 32;
        var bw = image.Cols / block;
        var bh = image.Rows / block;
        using var blocks = new Mat();
        using (var cropped = new Mat(image, new Rect(0, 0, bw * block, bh * block)))
        {
            Cv2.Resize(cropped, blocks, new Size(bw, bh), 0, 0, InterpolationFlags.Area);
        }
        Cv2.MinMaxLoc(blocks, out double min, out double max);
        return (max - min) / Cv2.Mean(blocks).Val0 * 100;
    }

    private async Task<CaptureOutcome> CaptureAsync(StationRig rig)
    {
        var outcome = await rig.Sequence.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None).WaitAsync(Guard);
        Assert.True(outcome.Status == CaptureStatus.Complete, $"{outcome.Status}: {string.Join("; ", outcome.Record.Reasons)}");
        return outcome;
    }

    /// <summary>
    /// How unevenly the breech-face fused image is lit compared with the truth rendered without vignetting: the ratio
    /// of block means (64 px, so focus and the texture average out), normalised by its median, 90th less 10th
    /// percentile, over blocks that the truth shows bright enough to judge.
    /// </summary>
    private static double Spread(SimBench bench, CaptureOutcome outcome)
    {
        var region = outcome.Record.Regions.Single(r => r.Region == nameof(Region.BreechFace));
        using var fused = Cv2.ImRead(Path.Combine(outcome.PackagePath!, "regions", "BreechFace", "fused-ring-oblique.png"), ImreadModes.Unchanged);
        var position = StagePosition.FromMicrometres(region.StageXMicrometres, region.StageYMicrometres, region.SliceZMicrometres[0]);
        var attempt = region.Attempts[^1];
        using var renderer = new FrameRenderer(bench.Scene, bench.CameraOptions with { VignettingAtCorner = 0 });
        using var truth = renderer.GroundTruth(position, LightingState.Segmented(8, Enumerable.Range(0, 8), 0.35),
            TimeSpan.FromMilliseconds(attempt.ExposureMilliseconds), bench.SimCamera.Settings.Gain, bench.SimCamera.Settings.Format);
        const int block = 64;
        var ratios = new List<double>();
        var truthMeans = new List<(double Truth, double Fused)>();
        int rows = fused.Rows, cols = fused.Cols;
        for (var y = 0; y + block <= rows; y += block)
        {
            for (var x = 0; x + block <= cols; x += block)
            {
                var rect = new Rect(x, y, block, block);
                using var t = new Mat(truth.AllInFocus, rect);
                using var f = new Mat(fused, rect);
                truthMeans.Add((Cv2.Mean(t).Val0, Cv2.Mean(f).Val0));
            }
        }
        var brightest = truthMeans.Max(m => m.Truth);
        ratios.AddRange(truthMeans.Where(m => m.Truth > 0.3 * brightest).Select(m => m.Fused / m.Truth));
        var median = ratios.Order().ElementAt(ratios.Count / 2);
        var sorted = ratios.Select(r => r / median).Order().ToList();
        return sorted[(int)(0.9 * (sorted.Count - 1))] - sorted[(int)(0.1 * (sorted.Count - 1))];
    }
}
