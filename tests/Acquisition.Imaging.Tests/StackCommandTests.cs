using Acquisition.HardwareSim.Synthetic;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Acquisition.Console;
using Acquisition.Console.Stack;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.X3p;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>`acq stack` end to end on real files, through the real command-line parser.</summary>
public sealed class StackCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "acq-stack-test-" + Guid.NewGuid().ToString("N"));

    public StackCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Acq(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = await AcqRootCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    // The stack reaches 11 µm beyond the synthetic surface's ±17 µm on each side: a peak closer to an end than the
    // z-smoothing's half-width is (rightly) marked invalid, as a station's planned stack would never allow.
    private const int ZStart = -28;

    private string WriteStack(SyntheticStack scene, int count, string extension, int bitDepth, string folder = "slices")
    {
        var dir = Path.Combine(_root, folder);
        Directory.CreateDirectory(dir);
        for (int i = 0; i < count; i++)
        {
            using var frame = scene.RenderFrame(ZStart + 2 * i, 1, 0, 0, 0.01, bitDepth, (ulong)i);
            // Unpadded numbers: the natural sort must still put slice_2 before slice_10.
            Assert.True(Cv2.ImWrite(Path.Combine(dir, $"slice_{i}{extension}"), frame));
        }
        return dir;
    }

    [Fact]
    public async Task Stack_folder_writes_fused_png_x3p_preview_and_report()
    {
        using var scene = SyntheticStack.Create(160, 160, seed: 31);
        var dir = WriteStack(scene, 29, ".png", 8);
        var outDir = Path.Combine(_root, "out");

        var (code, stdout, stderr) = await Acq("stack", dir, "--z-start", "-28", "--z-step", "2", "--pixel-size", "2.5", "--out", outDir);

        Assert.True(code == 0, stderr);
        Assert.Contains("29 slices", stdout, StringComparison.Ordinal);
        using var fused = Cv2.ImRead(Path.Combine(outDir, StackJob.FusedFileName), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC1, fused.Type());
        Assert.True(ImageComparison.Psnr(fused, 65535, scene.AllInFocus, 1) > 30);

        var x3p = X3pReader.Read(Path.Combine(outDir, StackJob.HeightFileName));
        Assert.Equal(160, x3p.Surface.SizeX);
        Assert.Equal(160, x3p.Surface.SizeY);
        Assert.Equal(2.5e-6, x3p.Surface.IncrementXMetres, 12);
        var heights = x3p.Surface.ToMicrometresFloat32();
        using var measured = Mat.FromPixelData(160, 160, MatType.CV_32FC1, heights);
        using var mask = StackRun.CentralMask(160, 160, 20);
        var (rms, invalid) = ImageComparison.HeightError(measured, scene.TrueHeightMicrometres, mask);
        Assert.True(rms < 0.6 && invalid < 0.1, $"X3P heights: RMS {rms:0.000} µm, invalid {invalid:P1}");

        using var preview = Cv2.ImRead(Path.Combine(outDir, StackJob.PreviewFileName), ImreadModes.Color);
        Assert.Equal(160, preview.Height);
        Assert.True(preview.Width > 160, "The preview carries a colour bar beside the map.");

        using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(outDir, StackJob.ReportFileName)));
        var root = report.RootElement;
        Assert.Equal(29, root.GetProperty("statistics").GetProperty("sliceCount").GetInt32());
        Assert.True(root.GetProperty("quality").GetProperty("accepted").GetBoolean());
        Assert.True(root.GetProperty("quality").GetProperty("focusCoveragePercent").GetDouble() >= 90);
        Assert.EndsWith("slice_0.png", root.GetProperty("inputs")[0].GetString(), StringComparison.Ordinal);
        Assert.EndsWith("slice_10.png", root.GetProperty("inputs")[10].GetString(), StringComparison.Ordinal);
        Assert.Equal(64, root.GetProperty("outputSha256").GetProperty(StackJob.HeightFileName).GetString()!.Length);
        Assert.False(Directory.Exists(Path.Combine(outDir, ".tmp")));

        // Results are evidence: a second run into the same folder is refused, not overwritten.
        var again = await Acq("stack", dir, "--z-start", "-28", "--z-step", "2", "--out", outDir);
        Assert.Equal(2, again.Code);
        Assert.Contains("never overwritten", again.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listed_16bit_tiff_files_are_stacked_in_the_given_order()
    {
        using var scene = SyntheticStack.Create(128, 128, seed: 32);
        var dir = WriteStack(scene, 15, ".tif", 12);
        var files = Enumerable.Range(0, 15).Select(i => Path.Combine(dir, $"slice_{i}.tif")).ToArray();
        var outDir = Path.Combine(_root, "out16");
        var (code, _, stderr) = await Acq(["stack", .. files, "--z-start", "-28", "--z-step", "2", "--bit-depth", "12", "--out", outDir]);
        Assert.True(code == 0, stderr);
        var x3p = X3pReader.Read(Path.Combine(outDir, StackJob.HeightFileName));
        Assert.Equal(128, x3p.Surface.SizeX);
        using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(outDir, StackJob.ReportFileName)));
        Assert.True(report.RootElement.GetProperty("pixelSizeAssumed").GetBoolean());
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error()
    {
        using var scene = SyntheticStack.Create(96, 96, seed: 33);
        var dir = WriteStack(scene, 5, ".png", 8);

        var missingStep = await Acq("stack", dir, "--z-start", "0", "--out", Path.Combine(_root, "o1"));
        Assert.NotEqual(0, missingStep.Code);
        Assert.Contains("--z-step", missingStep.Err, StringComparison.Ordinal);

        var zeroStep = await Acq("stack", dir, "--z-start", "0", "--z-step", "0", "--out", Path.Combine(_root, "o2"));
        Assert.Equal(2, zeroStep.Code);
        Assert.Contains("--z-step must be a non-zero", zeroStep.Err, StringComparison.Ordinal);

        var broken = Path.Combine(dir, "slice_3.png");
        await File.WriteAllTextAsync(broken, "not an image");
        var unreadable = await Acq("stack", dir, "--z-start", "0", "--z-step", "2", "--out", Path.Combine(_root, "o3"));
        Assert.Equal(2, unreadable.Code);
        Assert.Contains("Cannot read", unreadable.Err, StringComparison.Ordinal);
        Assert.Contains("slice_3.png", unreadable.Err, StringComparison.Ordinal);

        using (var small = new Mat(64, 64, MatType.CV_8UC1, Scalar.All(9)))
        {
            Cv2.ImWrite(broken, small);
        }
        var mixed = await Acq("stack", dir, "--z-start", "0", "--z-step", "2", "--out", Path.Combine(_root, "o4"));
        Assert.Equal(2, mixed.Code);
        Assert.Contains("same size", mixed.Err, StringComparison.Ordinal);

        var missingFile = await Acq("stack", Path.Combine(dir, "nope.png"), Path.Combine(dir, "slice_0.png"), "--z-start", "0", "--z-step", "2", "--out", Path.Combine(_root, "o5"));
        Assert.Equal(2, missingFile.Code);
        Assert.Contains("does not exist", missingFile.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a2.png", "a10.png", -1)]
    [InlineData("a010.png", "a9.png", 1)]
    [InlineData("b.png", "a.png", 1)]
    public void Natural_order_compares_numbers_as_numbers(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(StackJob.NaturalCompare(a, b)));
}
