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
}
