using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Acquisition.Console.Stack;
using Acquisition.HardwareSim.Synthetic;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Tests;
using Acquisition.Imaging.X3p;
using OpenCvSharp;

namespace Acquisition.Console.Tests;

/// <summary>
/// `acq stack` end to end on real image files, run as the shipped acq binary (its parser, exit-code policy and
/// output streams), as every console test runs it.
/// </summary>
public sealed class StackCommandTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    // The stack reaches 11 µm beyond the synthetic surface's ±17 µm on each side: a peak closer to an end than the
    // z-smoothing's half-width is (rightly) marked invalid, as a station's planned stack would never allow.
    private const int ZStart = -28;
    private const int Slices = 29;

    /// <summary>Writes slice_0 … slice_{count−1} (unpadded: the natural sort must put slice_2 before slice_10).</summary>
    private string WriteStack(SyntheticStack scene, int count, string extension, Func<int, int> bitDepthOf, string folder = "slices",
        double magnificationPerMicrometre = 0)
    {
        var dir = _tmp.Combine(folder);
        Directory.CreateDirectory(dir);
        for (int i = 0; i < count; i++)
        {
            double z = ZStart + 2 * i;
            int bits = bitDepthOf(i);
            using var frame = scene.RenderFrame(z, 1 + magnificationPerMicrometre * (z - ZStart), 0, 0, 0.01, bits, (ulong)i);
            if (bits is > 8 and < 16)
            {
                // A real sensor clips at its full scale; the renderer's read noise can carry a bright pixel past it.
                Cv2.Min(frame, Scalar.All((1 << bits) - 1), frame);
            }
            Assert.True(Cv2.ImWrite(Path.Combine(dir, $"slice_{i}{extension}"), frame));
        }
        return dir;
    }

    private string WriteStack(SyntheticStack scene, int count, string extension, int bitDepth, string folder = "slices") =>
        WriteStack(scene, count, extension, _ => bitDepth, folder);

    private static string[] StackArgs(string input, string outDir, params string[] extra) =>
        ["stack", input, "--z-start", ZStart.ToString(CultureInfo.InvariantCulture), "--z-step", "2", "--out", outDir, .. extra];

    private static JsonElement Report(string outDir)
    {
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, StackJob.ReportFileName)));
        return report.RootElement.Clone();
    }

    private static Mat Heights(string outDir, int width, int height) =>
        Mat.FromPixelData(height, width, MatType.CV_32FC1, X3pReader.Read(Path.Combine(outDir, StackJob.HeightFileName)).Surface.ToMicrometresFloat32());

    /// <summary>The central region, clear of the border that the focus window and the warps touch.</summary>
    private static Mat CentralMask(int width, int height, int border)
    {
        var mask = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
        mask[new Rect(border, border, width - 2 * border, height - 2 * border)].SetTo(Scalar.All(255));
        return mask;
    }

    [Fact]
    public async Task Stack_folder_writes_fused_png_x3p_preview_and_report()
    {
        using var scene = SyntheticStack.Create(160, 160, seed: 31);
        var dir = WriteStack(scene, Slices, ".png", 8);
        var outDir = _tmp.Combine("out");

        var run = await AcqProcess.RunAsync(StackArgs(dir, outDir, "--pixel-size", "2.5"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{Slices} slices", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", run.Stderr, StringComparison.Ordinal);
        using var fused = Cv2.ImRead(Path.Combine(outDir, StackJob.FusedFileName), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC1, fused.Type());
        Assert.True(ImageComparison.Psnr(fused, 65535, scene.AllInFocus, 1) > 30);

        var x3p = X3pReader.Read(Path.Combine(outDir, StackJob.HeightFileName));
        Assert.Equal(160, x3p.Surface.SizeX);
        Assert.Equal(160, x3p.Surface.SizeY);
        Assert.Equal(2.5e-6, x3p.Surface.IncrementXMetres, 12);
        using var measured = Heights(outDir, 160, 160);
        using var mask = CentralMask(160, 160, 20);
        var (rms, invalid) = ImageComparison.HeightError(measured, scene.TrueHeightMicrometres, mask);
        Assert.True(rms < 0.6 && invalid < 0.1, $"X3P heights: RMS {rms:0.000} µm, invalid {invalid:P1}");

        using var preview = Cv2.ImRead(Path.Combine(outDir, StackJob.PreviewFileName), ImreadModes.Color);
        Assert.Equal(160, preview.Height);
        Assert.True(preview.Width > 160, "The preview carries a colour bar beside the map.");

        var root = Report(outDir);
        Assert.Equal(Slices, root.GetProperty("statistics").GetProperty("sliceCount").GetInt32());
        Assert.True(root.GetProperty("quality").GetProperty("accepted").GetBoolean());
        Assert.True(root.GetProperty("quality").GetProperty("focusCoveragePercent").GetDouble() >= 90);
        Assert.EndsWith("slice_0.png", root.GetProperty("inputs")[0].GetString(), StringComparison.Ordinal);
        Assert.EndsWith("slice_10.png", root.GetProperty("inputs")[10].GetString(), StringComparison.Ordinal);
        Assert.Equal(64, root.GetProperty("outputSha256").GetProperty(StackJob.HeightFileName).GetString()!.Length);
        Assert.Empty(root.GetProperty("warnings").EnumerateArray());
        Assert.False(Directory.Exists(Path.Combine(outDir, ".tmp")));

        // Results are evidence: a second run into the same folder is refused, not overwritten.
        var again = await AcqProcess.RunAsync(StackArgs(dir, outDir));
        Assert.True(again.ExitCode == 6, again.ToString());
        Assert.Contains("never overwritten", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_x3p_says_no_calibration_applies_and_validates_against_the_schema()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 34);
        var dir = WriteStack(scene, Slices, ".png", 8);
        var outDir = _tmp.Combine("out");

        var run = await AcqProcess.RunAsync(StackArgs(dir, outDir, "--pixel-size", "2.5"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var path = Path.Combine(outDir, StackJob.HeightFileName);
        var record2 = X3pReader.Read(path).Record2!;
        // ISO 5436-2 requires CalibrationDate; it must not pass for a calibration, so it equals Date and the comment
        // says so.
        Assert.Equal(record2.Date, record2.CalibrationDate);
        Assert.StartsWith("No calibration applies", record2.Comment, StringComparison.Ordinal);
        Assert.StartsWith("No calibration applies", Report(outDir).GetProperty("calibration").GetString(), StringComparison.Ordinal);
        byte[] mainXml;
        using (var zip = ZipFile.OpenRead(path))
        using (var entry = zip.GetEntry("main.xml")!.Open())
        using (var buffer = new MemoryStream())
        {
            entry.CopyTo(buffer);
            mainXml = buffer.ToArray();
        }
        Assert.Empty(X3pTestFiles.Validate(mainXml, "iso5436_2.xsd"));
    }

    [Theory]
    [InlineData(".png")]
    [InlineData(".tif")]
    public async Task Real_16bit_files_fuse_to_the_all_in_focus_image_and_true_heights(string extension)
    {
        using var scene = SyntheticStack.Create(128, 128, seed: 35);
        var dir = WriteStack(scene, Slices, extension, 16);
        var outDir = _tmp.Combine("out");

        var run = await AcqProcess.RunAsync(StackArgs(dir, outDir, "--pixel-size", "2.5"));

        Assert.True(run.ExitCode == 0, run.ToString());
        // Values use the full 16-bit range: nothing to warn about.
        Assert.DoesNotContain("warning", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Report(outDir).GetProperty("warnings").EnumerateArray());
        using var fused = Cv2.ImRead(Path.Combine(outDir, StackJob.FusedFileName), ImreadModes.Unchanged);
        using var mask = CentralMask(128, 128, 16);
        double psnr = ImageComparison.Psnr(fused, 65535, scene.AllInFocus, 1, mask);
        Assert.True(psnr > 30, $"fused PSNR {psnr:0.00} dB");
        using var measured = Heights(outDir, 128, 128);
        var (rms, invalid) = ImageComparison.HeightError(measured, scene.TrueHeightMicrometres, mask);
        Assert.True(rms < 0.6 && invalid < 0.1, $"X3P heights: RMS {rms:0.000} µm, invalid {invalid:P1}");
    }

    [Fact]
    public async Task Listed_files_are_stacked_in_the_given_order_not_by_name()
    {
        using var scene = SyntheticStack.Create(128, 128, seed: 32);
        var dir = WriteStack(scene, Slices, ".tif", 16);
        // Listed from the highest z down, but labelled with the same rising z: a stacker that honours the list sees
        // the surface upside down; one that sorted the names would find the true heights.
        var reversed = Enumerable.Range(0, Slices).Reverse().Select(i => Path.Combine(dir, $"slice_{i}.tif")).ToArray();
        var outDir = _tmp.Combine("out");

        var run = await AcqProcess.RunAsync(["stack", .. reversed, "--z-start", "-28", "--z-step", "2", "--out", outDir]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var root = Report(outDir);
        Assert.True(root.GetProperty("pixelSizeAssumed").GetBoolean());
        Assert.EndsWith($"slice_{Slices - 1}.tif", root.GetProperty("inputs")[0].GetString(), StringComparison.Ordinal);
        using var measured = Heights(outDir, 128, 128);
        using var mask = CentralMask(128, 128, 16);
        using var mirrored = new Mat();
        Cv2.Multiply(scene.TrueHeightMicrometres, Scalar.All(-1), mirrored);
        var (rmsMirrored, invalid) = ImageComparison.HeightError(measured, mirrored, mask);
        var (rmsTrue, _) = ImageComparison.HeightError(measured, scene.TrueHeightMicrometres, mask);
        Assert.True(rmsMirrored < 0.6 && invalid < 0.1, $"against the mirrored surface: RMS {rmsMirrored:0.000} µm, invalid {invalid:P1}");
        Assert.True(rmsTrue > 5, $"against the true surface: RMS {rmsTrue:0.000} µm");
    }

    [Fact]
    public async Task Mixed_bit_depths_are_refused_naming_the_first_odd_file()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 36);
        var dir = WriteStack(scene, 9, ".png", i => i % 2 == 0 ? 8 : 16);

        var run = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("out")));

        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.Contains("slice_1.png' is 16-bit", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("slice_0.png' is 8-bit", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("same bit depth", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_tmp.Combine("out")), "A refused run leaves no output folder behind.");
    }

    [Fact]
    public async Task Bit_depth_12_refuses_files_with_larger_values()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 37);
        var dir = WriteStack(scene, 9, ".png", 16);

        var run = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("out"), "--bit-depth", "12"));

        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.Contains("slice_0.png' holds values up to", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("at most 4095", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("drop --bit-depth 12", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("shift every slice right by 4 bits", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twelve_bit_data_in_16bit_files_is_flagged_unless_declared()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 38);
        var dir = WriteStack(scene, Slices, ".png", 12);

        var undeclared = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("as16")));
        var declared = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("as12"), "--bit-depth", "12"));

        Assert.True(undeclared.ExitCode == 0, undeclared.ToString());
        Assert.Contains("looks like 12-bit", undeclared.Stderr, StringComparison.Ordinal);
        Assert.Contains("--bit-depth 12", undeclared.Stderr, StringComparison.Ordinal);
        var warning = Assert.Single(Report(_tmp.Combine("as16")).GetProperty("warnings").EnumerateArray()).GetString();
        Assert.Contains("looks like 12-bit", warning, StringComparison.Ordinal);

        Assert.True(declared.ExitCode == 0, declared.ToString());
        Assert.DoesNotContain("warning", declared.Stderr, StringComparison.Ordinal);
        Assert.Empty(Report(_tmp.Combine("as12")).GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task Magnification_per_um_corrects_a_non_telecentric_stack()
    {
        const int size = 192;
        const double drift = 5e-4; // per µm: 2.8 % over the 56 µm stack, 2.7 px at the mask's edge
        using var scene = SyntheticStack.Create(size, size, seed: 39);
        var dir = WriteStack(scene, Slices, ".png", _ => 8, magnificationPerMicrometre: drift);

        var plain = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("plain"), "--pixel-size", "2.5"));
        var corrected = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("corrected"), "--pixel-size", "2.5",
            "--magnification-per-um", drift.ToString("R", CultureInfo.InvariantCulture)));

        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.True(corrected.ExitCode == 0, corrected.ToString());
        Assert.Equal(drift, Report(_tmp.Combine("corrected")).GetProperty("magnificationChangePerMicrometre").GetDouble());
        using var mask = CentralMask(size, size, 20);
        using var fusedPlain = Cv2.ImRead(Path.Combine(_tmp.Combine("plain"), StackJob.FusedFileName), ImreadModes.Unchanged);
        using var fusedCorrected = Cv2.ImRead(Path.Combine(_tmp.Combine("corrected"), StackJob.FusedFileName), ImreadModes.Unchanged);
        double psnrPlain = ImageComparison.Psnr(fusedPlain, 65535, scene.AllInFocus, 1, mask);
        double psnrCorrected = ImageComparison.Psnr(fusedCorrected, 65535, scene.AllInFocus, 1, mask);
        Assert.True(psnrCorrected > psnrPlain + 2, $"fused PSNR {psnrPlain:0.00} dB without, {psnrCorrected:0.00} dB with the magnification model");
    }

    [Fact]
    public async Task The_pixel_size_chooses_the_registration_scale_as_the_station_does()
    {
        // A 1024 px frame: the stacker's own frame-size rule registers at 1/2, a 256 px crop of 512 px. At 2.5 µm a
        // pixel that is 1.28 mm, inside a 9 mm primer's 1.5 mm firing-pin crater; the station registers such a
        // camera at 1/4 (2.56 mm, RegistrationField), and so must a re-processing of its stack.
        using var scene = SyntheticStack.Create(1024, 1024, seed: 41);
        var dir = _tmp.Combine("large");
        Directory.CreateDirectory(dir);
        for (int i = 0; i < 5; i++)
        {
            using var frame = scene.RenderFrame(-4 + 2 * i, 1, 0, 0, 0.01, 8, (ulong)i);
            Assert.True(Cv2.ImWrite(Path.Combine(dir, $"slice_{i}.png"), frame));
        }
        string[] Args(string outDir, params string[] extra) =>
            ["stack", dir, "--z-start", "-4", "--z-step", "2", "--out", _tmp.Combine(outDir), .. extra];

        var fine = await AcqProcess.RunAsync(Args("fine", "--pixel-size", "2.5"));
        var coarse = await AcqProcess.RunAsync(Args("coarse", "--pixel-size", "10"));
        var unknown = await AcqProcess.RunAsync(Args("unknown"));

        Assert.True(fine.ExitCode == 0, fine.ToString());
        Assert.True(coarse.ExitCode == 0, coarse.ToString());
        Assert.True(unknown.ExitCode == 0, unknown.ToString());
        Assert.Equal((4, 256), Scale(Report(_tmp.Combine("fine"))));
        Assert.Equal((2, 256), Scale(Report(_tmp.Combine("coarse")))); // 256 px of 10 µm already cover 2.56 mm
        Assert.Equal((2, 256), Scale(Report(_tmp.Combine("unknown"))));

        static (int, int) Scale(JsonElement report) =>
            (report.GetProperty("registrationDownscale").GetInt32(), report.GetProperty("registrationCropPixels").GetInt32());
    }

    [Fact]
    public async Task With_json_stdout_is_the_report_or_an_error_document()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 43);
        var dir = WriteStack(scene, Slices, ".png", 8);

        var ok = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("json"), "--pixel-size", "2.5", "--json"));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var report = ok.Json();
        Assert.Equal(Slices, report.GetProperty("statistics").GetProperty("sliceCount").GetInt32());
        Assert.Equal(Report(_tmp.Combine("json")).GetProperty("outputSha256").ToString(), report.GetProperty("outputSha256").ToString());

        // The same output folder again: its results are never overwritten, a file problem (exit 6).
        var again = await AcqProcess.RunAsync(StackArgs(dir, _tmp.Combine("json"), "--pixel-size", "2.5", "--json"));
        Assert.Equal(6, again.ExitCode);
        var error = again.Json().GetProperty("error");
        Assert.Equal(6, error.GetProperty("exitCode").GetInt32());
        Assert.Equal("local-file", error.GetProperty("kind").GetString());
        Assert.Contains("already exists; results are never overwritten", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_that_fails_while_writing_its_results_removes_those_it_wrote()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 44);
        var dir = WriteStack(scene, Slices, ".png", 8);
        var outDir = _tmp.Combine("blocked");
        // A folder where the report goes: the up-front check looks for existing result files, so the run gets as far
        // as writing the report, after the fused image, the preview and the height map.
        Directory.CreateDirectory(Path.Combine(outDir, StackJob.ReportFileName));

        var failed = await AcqProcess.RunAsync(StackArgs(dir, outDir, "--pixel-size", "2.5"));

        Assert.True(failed.ExitCode == 6, failed.ToString());
        Assert.False(File.Exists(Path.Combine(outDir, StackJob.FusedFileName)), "the fused image of the failed run was left behind");
        Assert.False(File.Exists(Path.Combine(outDir, StackJob.HeightFileName)), "the height map of the failed run was left behind");
        Assert.False(File.Exists(Path.Combine(outDir, StackJob.PreviewFileName)), "the preview of the failed run was left behind");

        // Nothing of it blocks the run once the obstacle is gone.
        Directory.Delete(Path.Combine(outDir, StackJob.ReportFileName));
        var again = await AcqProcess.RunAsync(StackArgs(dir, outDir, "--pixel-size", "2.5"));
        Assert.True(again.ExitCode == 0, again.ToString());
    }

    [Fact]
    public async Task Command_line_errors_exit_2_with_a_clear_message()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 33);
        var dir = WriteStack(scene, 5, ".png", 8);
        var emptyDir = _tmp.Combine("empty");
        Directory.CreateDirectory(emptyDir);

        var missingStep = await AcqProcess.RunAsync("stack", dir, "--z-start", "0", "--out", _tmp.Combine("o1"));
        Assert.True(missingStep.ExitCode == 2, missingStep.ToString());
        Assert.Contains("--z-step", missingStep.Stderr, StringComparison.Ordinal);

        var textStep = await AcqProcess.RunAsync("stack", dir, "--z-start", "0", "--z-step", "two", "--out", _tmp.Combine("o2"));
        Assert.True(textStep.ExitCode == 2, textStep.ToString());
        Assert.Contains("two", textStep.Stderr, StringComparison.Ordinal);
        Assert.Contains("--z-step", textStep.Stderr, StringComparison.Ordinal);

        var zeroStep = await AcqProcess.RunAsync("stack", dir, "--z-start", "0", "--z-step", "0", "--out", _tmp.Combine("o3"));
        Assert.True(zeroStep.ExitCode == 2, zeroStep.ToString());
        Assert.Contains("--z-step must be a non-zero", zeroStep.Stderr, StringComparison.Ordinal);

        var empty = await AcqProcess.RunAsync("stack", emptyDir, "--z-start", "0", "--z-step", "2", "--out", _tmp.Combine("o4"));
        Assert.True(empty.ExitCode == 2, empty.ToString());
        Assert.Contains("holds no .png, .tif or .tiff files", empty.Stderr, StringComparison.Ordinal);

        var telecentric = await AcqProcess.RunAsync("stack", dir, "--z-start", "0", "--z-step", "2", "--magnification-per-um", "2e-3", "--out", _tmp.Combine("o5"));
        Assert.True(telecentric.ExitCode == 2, telecentric.ToString());
        Assert.Contains("--magnification-per-um must be below 1e-3", telecentric.Stderr, StringComparison.Ordinal);

        Assert.False(Directory.Exists(_tmp.Combine("o3")), "Nothing is written for a refused command line.");
    }

    [Fact]
    public async Task Bad_slice_files_exit_6_naming_the_file()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 33);
        var dir = WriteStack(scene, 5, ".png", 8);

        var broken = Path.Combine(dir, "slice_3.png");
        await File.WriteAllTextAsync(broken, "not an image");
        var unreadable = await AcqProcess.RunAsync("stack", dir, "--z-start", "0", "--z-step", "2", "--out", _tmp.Combine("o1"));
        Assert.True(unreadable.ExitCode == 6, unreadable.ToString());
        Assert.Contains("Cannot read", unreadable.Stderr, StringComparison.Ordinal);
        Assert.Contains("slice_3.png", unreadable.Stderr, StringComparison.Ordinal);

        using (var small = new Mat(64, 64, MatType.CV_8UC1, Scalar.All(9)))
        {
            Cv2.ImWrite(broken, small);
        }
        var mixed = await AcqProcess.RunAsync("stack", dir, "--z-start", "0", "--z-step", "2", "--out", _tmp.Combine("o2"));
        Assert.True(mixed.ExitCode == 6, mixed.ToString());
        Assert.Contains("same size", mixed.Stderr, StringComparison.Ordinal);

        var missingFile = await AcqProcess.RunAsync("stack", Path.Combine(dir, "nope.png"), Path.Combine(dir, "slice_0.png"), "--z-start", "0", "--z-step", "2", "--out", _tmp.Combine("o3"));
        Assert.True(missingFile.ExitCode == 6, missingFile.ToString());
        Assert.Contains("does not exist", missingFile.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unwritable_out_is_refused_before_any_slice_is_read()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 40);
        var dir = WriteStack(scene, 5, ".png", 8);
        // A damaged first slice: an --out check that came after reading would report this file instead.
        await File.WriteAllTextAsync(Path.Combine(dir, "slice_0.png"), "not an image");
        // Tests run as root, which may write into read-only folders; nothing can create a folder under a file.
        var regularFile = _tmp.Combine("a-file");
        await File.WriteAllTextAsync(regularFile, "keep me");
        var outDir = Path.Combine(regularFile, "results");

        var run = await AcqProcess.RunAsync("stack", dir, "--z-start", "0", "--z-step", "2", "--out", outDir);

        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.Contains($"Cannot write results to --out '{outDir}'", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot read", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(regularFile));
    }

    [Theory]
    [InlineData("a2.png", "a10.png", -1)]
    [InlineData("a010.png", "a9.png", 1)]
    [InlineData("b.png", "a.png", 1)]
    public void Natural_order_compares_numbers_as_numbers(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(StackJob.NaturalCompare(a, b)));
}
