using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Capture.Record;
using OpenCvSharp;

namespace Acquisition.Workflow.Tests;

/// <summary>How a capture applies the calibration records (over fakes): lights, magnification, flat-field files.</summary>
public sealed class CaptureCalibrationsTests
{
    private static readonly double[] Factors = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.95, 0.85];

    [Fact]
    public async Task The_lights_drive_factors_scale_every_recipe_lighting_and_capture_json_names_the_record()
    {
        using var h = new SequenceHarness();
        await h.Calibrations.RecordAsync(CalibrationKind.Lights, JsonSerializer.SerializeToElement(new { driveFactors = Factors }), "alice", null, null, CancellationToken.None);

        var outcome = await h.RunAsync();

        Assert.Equal(CaptureStatus.Complete, outcome.Status);
        // The 9 mm recipe's ring-oblique lighting: all eight segments at 0.35, each times its factor.
        var expected = Factors.Select(f => 0.35 * f).ToArray();
        Assert.Contains(h.Lights.History, s => s.Segments.Zip(expected).All(p => Math.Abs(p.First - p.Second) < 1e-12));
        Assert.DoesNotContain(h.Lights.History, s => s.Segments.All(l => Math.Abs(l - 0.35) < 1e-12));
        var lights = outcome.Record.CalibrationsApplied.Single(a => a.Kind == "Lights");
        Assert.Equal("lights-v1", lights.RecordId);
        Assert.True(lights.Applied);
        Assert.Contains(outcome.Record.Calibrations, c => c.Id == "lights-v1");
    }

    [Fact]
    public async Task Without_a_lights_record_the_recipe_levels_are_set_as_written_and_the_record_says_so()
    {
        using var h = new SequenceHarness();
        var outcome = await h.RunAsync();

        Assert.Contains(h.Lights.History, s => s.Segments.All(l => Math.Abs(l - 0.35) < 1e-12));
        var lights = outcome.Record.CalibrationsApplied.Single(a => a.Kind == "Lights");
        Assert.False(lights.Applied);
        Assert.Null(lights.RecordId);
        var flat = outcome.Record.CalibrationsApplied.Single(a => a.Kind == "FlatField");
        Assert.Equal("flat-field-v1", flat.RecordId);
        Assert.False(flat.Applied);
        Assert.Contains("identity", flat.Detail);
    }

    [Fact]
    public async Task The_magnification_change_in_the_pixel_size_record_goes_to_every_stacker()
    {
        using var h = new SequenceHarness();
        await h.Calibrations.RecordAsync(CalibrationKind.PixelSize, JsonSerializer.SerializeToElement(new
        {
            pixelSizeXMicrometres = SequenceHarness.PixelSizeMicrometres,
            pixelSizeYMicrometres = SequenceHarness.PixelSizeMicrometres,
            rotationDegrees = 0.0,
            magnificationChangePerMicrometre = 3.3e-5,
        }), "alice", null, null, CancellationToken.None);

        var outcome = await h.RunAsync();

        Assert.Equal(CaptureStatus.Complete, outcome.Status);
        Assert.NotEmpty(h.Stacker.Magnifications);
        Assert.All(h.Stacker.Magnifications, m => Assert.Equal(3.3e-5, m.RelativeChangePerMicrometre));
        var applied = outcome.Record.CalibrationsApplied.Single(a => a.Kind == "Magnification");
        Assert.Equal("pixel-size-v2", applied.RecordId);
        Assert.True(applied.Applied);
        var rotation = outcome.Record.CalibrationsApplied.Single(a => a.Kind == "Rotation");
        Assert.Equal("pixel-size-v2", rotation.RecordId);
        Assert.Contains("rotation 0°", rotation.Detail);
    }

    [Fact]
    public async Task A_gain_map_that_does_not_match_its_recorded_hash_refuses_the_capture_naming_the_file()
    {
        using var h = new SequenceHarness();
        using var gain = new Mat(h.Camera.Settings.Height, h.Camera.Settings.Width, MatType.CV_32FC1, Scalar.All(1.0));
        Cv2.ImEncode(".tiff", gain, out var tiff);
        var path = Path.Combine(h.Calibrations.FilesDirectory(CalibrationKind.FlatField), "gain-ring-all.tiff");
        await h.Writer.WriteAsync(path, tiff, CancellationToken.None);
        await h.Calibrations.RecordAsync(CalibrationKind.FlatField, JsonSerializer.SerializeToElement(new
        {
            identity = false,
            gainMaps = new Dictionary<string, object> { ["ring-all"] = new { file = "gain-ring-all.tiff", sha256 = new string('0', 64) } },
        }), "alice", null, null, CancellationToken.None);

        var outcome = await h.RunAsync();

        Assert.Equal(CaptureStatus.Refused, outcome.Status);
        Assert.Contains(outcome.Record.Reasons, r => r.Contains("gain-ring-all.tiff", StringComparison.Ordinal) && r.Contains("altered", StringComparison.Ordinal));
        Assert.Equal(0, h.Stage.MoveCount);
    }

    [Fact]
    public void Flatten_multiplies_each_pixel_by_its_gain_and_saturates_at_full_scale()
    {
        var data = new byte[] { 10, 100, 200, 250, 0, 128 };
        var frame = new Frame(3, 2, PixelFormat.Mono8, data, 7, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(5));
        using var gain = new Mat(2, 3, MatType.CV_32FC1);
        gain.SetArray(new float[] { 1.5f, 1f, 0.5f, 2f, 3f, 1.25f });

        var flat = CaptureCalibrations.Flatten(frame, gain);

        Assert.Equal(new byte[] { 15, 100, 100, 255, 0, 160 }, flat.Data);
        Assert.Equal(new byte[] { 10, 100, 200, 250, 0, 128 }, frame.Data);
        Assert.Equal(frame.Sequence, flat.Sequence);
        Assert.Equal(frame.ExposureStart, flat.ExposureStart);
    }

    [Fact]
    public void Flatten_clips_a_twelve_bit_frame_at_4095()
    {
        var samples = new ushort[] { 4000, 1000 };
        var data = new byte[4];
        Buffer.BlockCopy(samples, 0, data, 0, 4);
        var frame = new Frame(2, 1, PixelFormat.Mono12, data, 1, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(5));
        using var gain = new Mat(1, 2, MatType.CV_32FC1);
        gain.SetArray(new float[] { 1.2f, 1.1f });

        var flat = CaptureCalibrations.Flatten(frame, gain);

        var result = new ushort[2];
        Buffer.BlockCopy(flat.Data, 0, result, 0, 4);
        Assert.Equal(new ushort[] { 4095, 1100 }, result);
    }

    private const int MapWidth = 8, MapHeight = 6;

    /// <summary>Writes a gain map file (CV_32F TIFF) and returns its record entry.</summary>
    private static async Task<object> GainMapAsync(SequenceHarness h, string name, Func<int, int, float> gainAt, double level, double? meanFraction)
    {
        using var gain = new Mat(MapHeight, MapWidth, MatType.CV_32FC1);
        for (var y = 0; y < MapHeight; y++)
        {
            for (var x = 0; x < MapWidth; x++)
            {
                gain.Set(y, x, gainAt(x, y));
            }
        }
        Cv2.ImEncode(".tiff", gain, out var tiff);
        var file = $"gain-{name}.tiff";
        await h.Writer.WriteAsync(Path.Combine(h.Calibrations.FilesDirectory(CalibrationKind.FlatField), file), tiff, CancellationToken.None);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tiff));
        return meanFraction is { } m ? new { file, sha256 = sha, level, meanFractionOfFullScale = m } : new { file, sha256 = sha, level };
    }

    // Shadings that differ per source (a left-right ramp, a top-bottom ramp, a centre bump), so the composition's
    // weighting shows: with equal weights, or with the wrong source, the result differs by several percent.
    private static float Segment0(int x, int y) => 1 / (0.7f + (0.1f * x));
    private static float Segment1(int x, int y) => 1 / (1.2f - (0.1f * y));
    private static float Coaxial(int x, int y) => 1 / (1.3f - (0.02f * (((x - 3.5f) * (x - 3.5f)) + ((y - 2.5f) * (y - 2.5f)))));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_mixed_lighting_gets_a_gain_map_composed_from_its_sources_weighted_by_their_brightness_at_the_driven_level(bool measuredMeans)
    {
        using var h = new SequenceHarness();
        // Segment 1 reached half scale at a lower level than segment 0: it is twice as bright per unit level. An old
        // record (no measured means) stands in the procedure's aim (half scale) for each mean: the same here.
        var maps = new Dictionary<string, object>
        {
            ["segment-0"] = await GainMapAsync(h, "segment-0", Segment0, 0.4, measuredMeans ? 0.5 : null),
            ["segment-1"] = await GainMapAsync(h, "segment-1", Segment1, 0.2, measuredMeans ? 0.5 : null),
            ["coaxial"] = await GainMapAsync(h, "coaxial", Coaxial, 0.5, measuredMeans ? 0.5 : null),
        };
        await h.Calibrations.RecordAsync(CalibrationKind.FlatField, JsonSerializer.SerializeToElement(new { identity = false, gainMaps = maps }), "alice", null, null, CancellationToken.None);
        // Drive factors halve segment 1: what reaches it is 0.3 × 0.5.
        await h.Calibrations.RecordAsync(CalibrationKind.Lights, JsonSerializer.SerializeToElement(new { driveFactors = new[] { 1, 0.5, 1, 1, 1, 1, 1, 1 } }), "alice", null, null, CancellationToken.None);
        var mixed = new Recipes.LightingStep("mixed", [0, 1], 0.3, 0.2);

        using var calibrations = CaptureCalibrations.Load(h.Calibrations, [], h.Time.GetUtcNow(), [mixed], 8, MapWidth, MapHeight);

        var gain = calibrations.GainFor("mixed");
        Assert.NotNull(gain);
        // Brightness per unit level 0.5/0.4, 0.5/0.2, 0.5/0.5 at driven levels 0.3, 0.15, 0.2.
        double w0 = 0.3 * 0.5 / 0.4, w1 = 0.15 * 0.5 / 0.2, wc = 0.2 * 0.5 / 0.5;
        var shading = new double[MapWidth * MapHeight];
        for (var y = 0; y < MapHeight; y++)
        {
            for (var x = 0; x < MapWidth; x++)
            {
                shading[(y * MapWidth) + x] = (w0 / Segment0(x, y)) + (w1 / Segment1(x, y)) + (wc / Coaxial(x, y));
            }
        }
        var mean = shading.Average();
        var worst = 0.0;
        for (var i = 0; i < shading.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(gain!.At<float>(i / MapWidth, i % MapWidth) - (mean / shading[i])));
        }
        Assert.True(worst < 1e-5, $"composed gain differs from the additive model by up to {worst}");
        var flat = calibrations.Applied.Single(a => a.Kind == nameof(CalibrationKind.FlatField));
        Assert.True(flat.Applied);
        Assert.StartsWith("composed from segment-0 × 0.375 (gain-segment-0.tiff, sha256 ", flat.PerLighting!["mixed"]);
        Assert.Contains("segment-1 × 0.375", flat.PerLighting["mixed"]);
        Assert.Contains("coaxial × 0.2", flat.PerLighting["mixed"]);
    }

    [Fact]
    public async Task A_mixed_lighting_whose_source_has_no_map_is_left_uncorrected_and_the_record_says_which()
    {
        using var h = new SequenceHarness();
        var maps = new Dictionary<string, object> { ["segment-0"] = await GainMapAsync(h, "segment-0", Segment0, 0.4, 0.5) };
        await h.Calibrations.RecordAsync(CalibrationKind.FlatField, JsonSerializer.SerializeToElement(new { identity = false, gainMaps = maps }), "alice", null, null, CancellationToken.None);

        using var calibrations = CaptureCalibrations.Load(h.Calibrations, [], h.Time.GetUtcNow(), [new Recipes.LightingStep("mixed", [0, 1], 0.3, 0)], 8, MapWidth, MapHeight);

        Assert.Null(calibrations.GainFor("mixed"));
        var flat = calibrations.Applied.Single(a => a.Kind == nameof(CalibrationKind.FlatField));
        Assert.False(flat.Applied);
        Assert.Contains("'segment-1'", flat.PerLighting!["mixed"]);
    }
}
