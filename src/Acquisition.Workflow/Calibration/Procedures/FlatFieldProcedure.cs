using System.Globalization;
using System.Security.Cryptography;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// One gain map per lighting configuration from a diffuse target. For each lighting the light level is set so the
/// target sits near half of full scale, frames are averaged, and the shading is fitted by a smooth 2-D polynomial
/// (degree 4) over block means, which keeps the target's own texture and the noise out of the map and behaves at the
/// image border. The gain map (mean / shading, 32-bit float TIFF) flattens the image; the residual non-uniformity is
/// measured on an independent set of frames after correction. Refuses a saturated, too dark or non-diffuse target.
/// </summary>
public sealed class FlatFieldProcedure
{
    public const int DefaultFramesAveraged = 16;
    public const double ResidualLimitPercent = 2.0;
    /// <summary>The share of full scale the procedure brings the white target to under each lighting.</summary>
    public const double AimFraction = 0.5;
    private const double ProbeLevel = 0.2;
    private const double SaturatedLimit = 0.005;
    private const double TooDarkFraction = 0.05;
    private const double TextureLimitPercent = 8;
    private const int Block = 16;
    private const int Degree = 4;

    private readonly CalibrationDevices _devices;

    public FlatFieldProcedure(CalibrationDevices devices) => _devices = devices;

    /// <summary>
    /// The lightings calibrated: the whole ring, each segment alone, and the coaxial light alone (no segments): how the
    /// recipes light a casing. A capture corrects each recipe lighting with the map of the same combination, or composes
    /// one from the single segments' and the coaxial light's maps (see CaptureCalibrations).
    /// </summary>
    public static IReadOnlyList<(string Name, int[] Segments)> Lightings(int segmentCount) =>
        [("ring-all", [.. Enumerable.Range(0, segmentCount)]), .. Enumerable.Range(0, segmentCount).Select(k => ($"segment-{k}", new[] { k })), ("coaxial", [])];

    public async Task<ProcedureOutcome> RunAsync(IReadOnlyDictionary<string, double> parameters, IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        var frames = Math.Max(2, (int)parameters.GetValueOrDefault("framesAveraged", DefaultFramesAveraged));
        var onlyRing = parameters.GetValueOrDefault("ringOnly", 0) > 0;
        var lights = _devices.Lights;
        var before = lights.Current;
        var lightings = Lightings(lights.SegmentCount);
        if (onlyRing)
        {
            lightings = [lightings[0]];
        }
        var files = new List<CalibrationFile>();
        var maps = new Dictionary<string, object?>();
        var levels = new Dictionary<string, object?>();
        var residualByLighting = new Dictionary<string, object?>();
        var worst = 0.0;
        try
        {
            for (var i = 0; i < lightings.Count; i++)
            {
                var (name, segments) = lightings[i];
                progress?.Report(new ProcedureProgress((double)i / lightings.Count, "lighting " + name));
                var level = await ChooseLevelAsync(name, segments, ct).ConfigureAwait(false);
                using var first = await FrameMath.AverageAsync(_devices, frames / 2, ct).ConfigureAwait(false);
                using var second = await FrameMath.AverageAsync(_devices, frames - (frames / 2), ct).ConfigureAwait(false);
                Check(name, first);
                using var shading = FitShading(first.Image, out var texturePercent);
                if (texturePercent > TextureLimitPercent)
                {
                    throw new CalibrationRefusedException(Invariant($"No diffuse target under lighting {name}: the image varies by {texturePercent:0.#} % beyond smooth shading (limit {TextureLimitPercent} %). Put the diffuse white target under the objective and retry."));
                }
                using var gain = new Mat();
                Cv2.Divide(Cv2.Mean(shading).Val0, shading, gain);
                var residual = ResidualPercent(second.Image, gain);
                if (residual >= ResidualLimitPercent)
                {
                    throw new CalibrationRefusedException(Invariant($"After correction the image under lighting {name} is still {residual:0.##} % non-uniform (limit {ResidualLimitPercent} %): this is not a uniform diffuse target, or the target or the light changed during the calibration. Put the diffuse white target under the objective and retry."));
                }
                worst = Math.Max(worst, residual);
                Cv2.ImEncode(".tiff", gain, out var tiff);
                var sha = Convert.ToHexStringLower(SHA256.HashData(tiff));
                var file = $"gain-{name}-{sha[..12]}.tiff";
                files.Add(new CalibrationFile(file, tiff));
                // The mean per unit level lets a capture weight this source when it composes a mixed lighting's map.
                var meanFraction = Math.Round(Cv2.Mean(first.Image).Val0 / first.FullScale, 5);
                maps[name] = new { file, sha256 = sha, level, segments, meanFractionOfFullScale = meanFraction };
                levels[name] = level;
                residualByLighting[name] = Math.Round(residual, 3);
            }
        }
        finally
        {
            await lights.SetAsync(before, CancellationToken.None).ConfigureAwait(false);
        }
        var values = new Dictionary<string, object?>
        {
            ["identity"] = false,
            ["lightings"] = lightings.Select(l => l.Name).ToList(),
            ["gainMaps"] = maps,
            ["residualNonUniformityPercent"] = Math.Round(worst, 3),
            ["framesAveraged"] = frames,
        };
        var residuals = new Dictionary<string, object?>
        {
            ["residualNonUniformityPercentByLighting"] = residualByLighting,
            ["definition"] = "peak-to-valley of 32×32-pixel block means after correction, over their mean, on frames not used for the map",
        };
        var summary = new List<MeasuredValue>
        {
            new("lightings", lightings.Count, ""),
            new("residual non-uniformity (worst)", Math.Round(worst, 3), "%", null, ResidualLimitPercent, worst < ResidualLimitPercent),
        };
        return new ProcedureOutcome(values, residuals, summary, [], files);
    }

    private async Task<double> ChooseLevelAsync(string name, int[] segments, CancellationToken ct)
    {
        var lights = _devices.Lights;
        await lights.SetAsync(State(lights.SegmentCount, segments, ProbeLevel), ct).ConfigureAwait(false);
        using var probe = await FrameMath.AverageAsync(_devices, 1, ct).ConfigureAwait(false);
        var mean = Cv2.Mean(probe.Image).Val0 / probe.FullScale;
        var level = mean <= 0 ? 1 : Math.Clamp(ProbeLevel * AimFraction / mean, 0.01, 1);
        await lights.SetAsync(State(lights.SegmentCount, segments, level), ct).ConfigureAwait(false);
        return Math.Round(level, 4);
    }

    /// <summary>The listed segments at <paramref name="level"/>, or the coaxial light alone when none are listed.</summary>
    private static LightingState State(int segmentCount, int[] segments, double level) =>
        segments.Length == 0 ? LightingState.Segmented(segmentCount, [], 0, level) : LightingState.Segmented(segmentCount, segments, level);

    private static void Check(string lighting, AveragedImage image)
    {
        if (image.SaturatedFraction > SaturatedLimit)
        {
            throw new CalibrationRefusedException(Invariant($"The diffuse target is saturated under lighting {lighting}: {image.SaturatedFraction * 100:0.##} % of pixels at full scale (limit {SaturatedLimit * 100} %). Lower the exposure or the gain and retry."));
        }
        var mean = Cv2.Mean(image.Image).Val0 / image.FullScale;
        if (mean < TooDarkFraction)
        {
            throw new CalibrationRefusedException(Invariant($"The diffuse target is too dark under lighting {lighting}: mean {mean * 100:0.#} % of full scale at full light (need {TooDarkFraction * 100} %). Raise the exposure or the gain, or check the light, and retry."));
        }
    }

    /// <summary>The smooth shading (full size, CV_32F) fitted to block means; <paramref name="texturePercent"/> is what the fit leaves.</summary>
    private static Mat FitShading(Mat image, out double texturePercent)
    {
        var bw = image.Cols / Block;
        var bh = image.Rows / Block;
        using var blocks = new Mat();
        using (var cropped = new Mat(image, new Rect(0, 0, bw * Block, bh * Block)))
        {
            Cv2.Resize(cropped, blocks, new Size(bw, bh), 0, 0, InterpolationFlags.Area);
        }
        var terms = Terms();
        using var design = new Mat(bw * bh, terms.Count, MatType.CV_64FC1);
        using var rhs = new Mat(bw * bh, 1, MatType.CV_64FC1);
        var row = 0;
        for (var by = 0; by < bh; by++)
        {
            for (var bx = 0; bx < bw; bx++)
            {
                var (x, y) = Normalised(((bx + 0.5) * Block) - 0.5, ((by + 0.5) * Block) - 0.5, image);
                for (var t = 0; t < terms.Count; t++)
                {
                    design.Set(row, t, Math.Pow(x, terms[t].I) * Math.Pow(y, terms[t].J));
                }
                rhs.Set(row, 0, (double)blocks.At<float>(by, bx));
                row++;
            }
        }
        using var coeffs = new Mat();
        Cv2.Solve(design, rhs, coeffs, DecompTypes.SVD);
        var c = Enumerable.Range(0, terms.Count).Select(t => coeffs.At<double>(t, 0)).ToArray();
        int rows = image.Rows, cols = image.Cols;
        var values = new float[rows * cols];
        for (var v = 0; v < rows; v++)
        {
            for (var u = 0; u < cols; u++)
            {
                var x = (2.0 * u / (cols - 1)) - 1;
                var y = (2.0 * v / (rows - 1)) - 1;
                double s = 0;
                for (var t = 0; t < terms.Count; t++)
                {
                    s += c[t] * Math.Pow(x, terms[t].I) * Math.Pow(y, terms[t].J);
                }
                values[(v * cols) + u] = (float)s;
            }
        }
        var shading = new Mat(rows, cols, MatType.CV_32FC1);
        shading.SetArray(values);
        using var ratio = new Mat();
        Cv2.Divide(image, shading, ratio);
        Cv2.MeanStdDev(ratio, out _, out var std);
        texturePercent = std.Val0 * 100;
        return shading;
    }

    private static double ResidualPercent(Mat image, Mat gain)
    {
        using var corrected = new Mat();
        Cv2.Multiply(image, gain, corrected);
        // Coarser blocks than the fit: the residual judges shading, not the target's own fine texture.
        var bw = image.Cols / (2 * Block);
        var bh = image.Rows / (2 * Block);
        using var blocks = new Mat();
        using (var cropped = new Mat(corrected, new Rect(0, 0, bw * 2 * Block, bh * 2 * Block)))
        {
            Cv2.Resize(cropped, blocks, new Size(bw, bh), 0, 0, InterpolationFlags.Area);
        }
        Cv2.MinMaxLoc(blocks, out double min, out double max);
        return (max - min) / Cv2.Mean(blocks).Val0 * 100;
    }

    private static List<(int I, int J)> Terms() =>
        [.. from i in Enumerable.Range(0, Degree + 1) from j in Enumerable.Range(0, Degree + 1) where i + j <= Degree select (i, j)];

    private static (double X, double Y) Normalised(double u, double v, Mat image) =>
        ((2 * u / (image.Cols - 1)) - 1, (2 * v / (image.Rows - 1)) - 1);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
