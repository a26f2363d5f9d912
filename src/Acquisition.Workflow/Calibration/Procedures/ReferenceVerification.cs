using System.Globalization;
using System.Text;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Core.Units;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// Verification against the reference casing: a focus sweep of the mounted reference gives its height map (the
/// imaging library's focus stacker), which is compared with the stored reference topography by areal
/// cross-correlation (the best normalised correlation over shifts of up to a tenth of the field) and by the change of
/// its areal roughness Sq. The first verification on a station has no stored topography: it stores this acquisition
/// as the reference (baseline) and says so. Every result is a <see cref="CalibrationKind.Reference"/> record and a
/// row of the control chart (<c>calibration/reference/control-chart.csv</c>, rendered to <c>control-chart.png</c>).
/// </summary>
public sealed class ReferenceVerification
{
    public const string CsvHeader = "performedAt,recordId,performedBy,arealCrossCorrelation,sqMicrometres,sqChangePercent,lowerLimit,passed,baseline";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CalibrationDevices _devices;
    private readonly CalibrationStore _store;
    private readonly DataDirectory _data;
    private readonly DurableFileWriter _writer;
    private readonly ReferenceVerificationOptions _options;
    private readonly TimeProvider _time;

    public ReferenceVerification(CalibrationDevices devices, CalibrationStore store, DataDirectory data, DurableFileWriter writer, ReferenceVerificationOptions options, TimeProvider time)
    {
        options.Validate();
        _devices = devices;
        _store = store;
        _data = data;
        _writer = writer;
        _options = options;
        _time = time;
    }

    public string Directory => Path.Combine(_data.Calibration, "reference");
    public string CsvPath => Path.Combine(Directory, "control-chart.csv");
    public string PngPath => Path.Combine(Directory, "control-chart.png");
    public string TopographyDirectory => Path.Combine(Directory, "topography");

    public async Task<ReferenceVerificationResult> RunAsync(string performedBy, IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        var (height, validFraction) = await AcquireHeightMapAsync(progress, ct).ConfigureAwait(false);
        using var _ = height;
        var stored = StoredTopography();
        var sq = Sq(height);
        double accf;
        double sqChange;
        var baseline = stored is null;
        string topographyFile;
        if (stored is null)
        {
            Cv2.ImEncode(".tiff", height, out var tiff);
            topographyFile = "reference-topography-" + _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".tiff";
            await _writer.WriteAsync(Path.Combine(TopographyDirectory, topographyFile), tiff, ct).ConfigureAwait(false);
            accf = 1;
            sqChange = 0;
        }
        else
        {
            using (stored.Value.Map)
            {
                topographyFile = stored.Value.File;
                // Sq change on the same area (aligned, measured in both): the two maps' holes differ, and Sq over
                // different areas of a casing differs by more than the instrument does.
                (accf, var storedSq, var currentSq) = ArealCrossCorrelation(stored.Value.Map, height);
                sqChange = storedSq <= 0 ? 100 : Math.Abs(currentSq - storedSq) / storedSq * 100;
            }
        }
        var accfPassed = accf >= _options.MinimumCorrelation;
        var sqPassed = sqChange <= _options.MaximumSqChangePercent;
        var passed = accfPassed && sqPassed;
        var measures = new List<MeasuredValue>
        {
            new("areal cross-correlation", Math.Round(accf, 4), "", _options.MinimumCorrelation, null, accfPassed),
            new("Sq change", Math.Round(sqChange, 2), "%", null, _options.MaximumSqChangePercent, sqPassed),
            new("Sq", Math.Round(sq, 4), "µm"),
        };
        var values = new Dictionary<string, object?>
        {
            ["arealCrossCorrelation"] = Math.Round(accf, 5),
            ["sqMicrometres"] = Math.Round(sq, 5),
            ["sqChangePercent"] = Math.Round(sqChange, 3),
            ["passed"] = passed,
            ["baseline"] = baseline,
            ["validFraction"] = Math.Round(validFraction, 4),
            ["referenceTopography"] = topographyFile,
            ["limits"] = new { minimumCorrelation = _options.MinimumCorrelation, maximumSqChangePercent = _options.MaximumSqChangePercent },
        };
        var stage = await _devices.Stage.QueryStatusAsync(ct).ConfigureAwait(false);
        var record = await _store.RecordAsync(CalibrationKind.Reference, JsonSerializer.SerializeToElement(values, Json), performedBy, null,
            JsonSerializer.SerializeToElement(new { stage = new { xMicrometres = stage.Position.X.Value, yMicrometres = stage.Position.Y.Value, zMicrometres = stage.Position.Z.Value }, camera = _devices.Camera.Settings.ToString() }, Json),
            ct).ConfigureAwait(false);
        await AppendToChartAsync(record, accf, sq, sqChange, passed, baseline, ct).ConfigureAwait(false);
        return new ReferenceVerificationResult(passed, record.Id, record.PerformedAt, measures, CsvPath, PngPath);
    }

    /// <summary>The levelled, filtered height map (NaN where no focus peak was found) and the fraction that has one.</summary>
    private async Task<(Mat Map, double ValidFraction)> AcquireHeightMapAsync(IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        var stage = _devices.Stage;
        var here = (await stage.QueryStatusAsync(ct).ConfigureAwait(false)).Position;
        var centre = new StagePosition(
            _options.XMicrometres is { } x ? new Micrometres(x) : here.X,
            _options.YMicrometres is { } y ? new Micrometres(y) : here.Y,
            _options.ZMicrometres is { } z ? new Micrometres(z) : here.Z);
        var lights = _devices.Lights;
        var before = lights.Current;
        await lights.SetAsync(LightingState.Segmented(lights.SegmentCount, Enumerable.Range(0, lights.SegmentCount), _options.LightLevel), ct).ConfigureAwait(false);
        try
        {
            var low = centre.Z.Value - (_options.RangeMicrometres / 2);
            await stage.MoveToAsync(centre with { Z = new Micrometres(low) }, ct).ConfigureAwait(false);
            await stage.MoveZFromBelowAsync(new Micrometres(low), ct).ConfigureAwait(false);
            using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
            var slices = (int)Math.Floor(_options.RangeMicrometres / _options.StepMicrometres) + 1;
            for (var i = 0; i < slices; i++)
            {
                var sliceZ = low + (i * _options.StepMicrometres);
                progress?.Report(new ProcedureProgress(0.9 * i / slices, Invariant($"focus sweep {i + 1}/{slices}")));
                await stage.MoveToAsync(centre with { Z = new Micrometres(sliceZ) }, ct).ConfigureAwait(false);
                var frame = await _devices.Camera.CaptureAsync(_devices.DeviceClock.GetUtcNow(), ct).ConfigureAwait(false);
                try
                {
                    stacker.Add(frame, new Micrometres(sliceZ));
                }
                catch (RegistrationFailedException ex)
                {
                    throw new CalibrationRefusedException("The reference casing's images could not be registered during the focus sweep (" + ex.Message + "). Check the casing is mounted and in the field of view, then retry.");
                }
            }
            progress?.Report(new ProcedureProgress(0.95, "height map"));
            using var result = stacker.Complete();
            var map = result.HeightMapMicrometres;
            // The centre half: the focus stacker's edges carry registration borders.
            var crop = new Rect(map.Cols / 4, map.Rows / 4, map.Cols / 2, map.Rows / 2);
            using var centreMap = new Mat(map, crop);
            var clean = centreMap.Clone();
            // Heights are stage Z: pixels without a focus peak (NaN) are filled from their neighbours, not with 0 µm.
            using var finite = new Mat();
            Cv2.Compare(clean, clean, finite, CmpTypes.EQ);
            if (Cv2.CountNonZero(finite) < clean.Total() / 4)
            {
                clean.Dispose();
                throw new CalibrationRefusedException("Less than a quarter of the reference casing's field has a focus peak in the sweep: check it is mounted, lit and within the Z range (Station:Calibration:Reference), then retry.");
            }
            var validFraction = (double)Cv2.CountNonZero(finite) / clean.Total();
            FillFromNeighbours(clean, finite);
            // Single-pixel peak outliers (a noise maximum at a sweep end) are not topography: a median takes them out
            // before the S-filter, which would otherwise spread them.
            Cv2.MedianBlur(clean, clean, 5);
            // An S-filter in the spirit of ISO 25178: slice quantisation and per-pixel peak noise are not topography.
            Cv2.GaussianBlur(clean, clean, new Size(0, 0), 3);
            Level(clean);
            // Pixels without a focus peak were filled only so the filters could run: they are not measured heights, so
            // they are NaN in the stored topography and left out of Sq.
            using var holes = new Mat();
            Cv2.BitwiseNot(finite, holes);
            clean.SetTo(new Scalar(double.NaN), holes);
            return (clean, validFraction);
        }
        finally
        {
            await lights.SetAsync(before, CancellationToken.None).ConfigureAwait(false);
            // Back where the sweep was centred, so the next verification starts from the same place.
            await stage.MoveZFromBelowAsync(centre.Z, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private (Mat Map, string File)? StoredTopography()
    {
        if (!System.IO.Directory.Exists(TopographyDirectory))
        {
            return null;
        }
        var file = System.IO.Directory.GetFiles(TopographyDirectory, "reference-topography-*.tiff").Order(StringComparer.Ordinal).FirstOrDefault();
        if (file is null)
        {
            return null;
        }
        var map = Cv2.ImRead(file, ImreadModes.Unchanged);
        if (map.Empty() || map.Type() != MatType.CV_32FC1)
        {
            map.Dispose();
            throw new CalibrationRefusedException($"The stored reference topography '{file}' is not a 32-bit float height map. Restore it from backup, or move it aside to record a new baseline.");
        }
        return (map, Path.GetFileName(file));
    }

    /// <summary>
    /// Areal cross-correlation: the shift of up to a tenth of the field that best aligns the acquisition's centre with
    /// the stored topography (found on hole-filled copies), then the correlation coefficient at that shift over the
    /// pixels measured in both, with the Sq of each there. Filled holes are estimates, and which pixels lack a focus peak changes from sweep to
    /// sweep: counting them would charge the station for its own interpolation.
    /// </summary>
    private static (double Correlation, double StoredSq, double CurrentSq) ArealCrossCorrelation(Mat stored, Mat current)
    {
        var w = Math.Min(stored.Cols, current.Cols);
        var h = Math.Min(stored.Rows, current.Rows);
        var mx = w / 10;
        var my = h / 10;
        using var storedFilled = Filled(stored);
        using var currentFilled = Filled(current);
        using var template = new Mat(currentFilled, new Rect(mx, my, w - (2 * mx), h - (2 * my)));
        using var image = new Mat(storedFilled, new Rect(0, 0, w, h));
        using var scores = new Mat();
        Cv2.MatchTemplate(image, template, scores, TemplateMatchModes.CCoeffNormed);
        Cv2.MinMaxLoc(scores, out _, out double _, out _, out Point at);
        stored.GetArray(out float[] s);
        current.GetArray(out float[] c);
        double n = 0, ss = 0, sc = 0, sss = 0, scc = 0, ssc = 0;
        for (var v = 0; v < h - (2 * my); v++)
        {
            for (var u = 0; u < w - (2 * mx); u++)
            {
                double a = s[((v + at.Y) * stored.Cols) + u + at.X];
                double b = c[((v + my) * current.Cols) + u + mx];
                if (double.IsFinite(a) && double.IsFinite(b))
                {
                    n++; ss += a; sc += b; sss += a * a; scc += b * b; ssc += a * b;
                }
            }
        }
        var cov = ssc - (ss * sc / n);
        var va = sss - (ss * ss / n);
        var vb = scc - (sc * sc / n);
        return n < 3 || va <= 0 || vb <= 0 ? (0, 0, 0) : (cov / Math.Sqrt(va * vb), Math.Sqrt(va / n), Math.Sqrt(vb / n));
    }

    /// <summary>
    /// Fills pixels without a focus peak from their valid neighbours (normalised convolution: a Gaussian-weighted mean
    /// of the valid heights around each hole). Which pixels lack a peak changes from sweep to sweep with the noise; a
    /// constant fill would put different flat patches into each acquisition and decorrelate them.
    /// </summary>
    private static void FillFromNeighbours(Mat map, Mat finite)
    {
        var fallback = Cv2.Mean(map, finite).Val0;
        using var weight = new Mat();
        finite.ConvertTo(weight, MatType.CV_32FC1, 1.0 / 255);
        using var values = map.Clone();
        Cv2.PatchNaNs(values, 0);
        using var weighted = new Mat();
        Cv2.Multiply(values, weight, weighted);
        using var holes = new Mat();
        Cv2.BitwiseNot(finite, holes);
        // Widening until every hole has valid neighbours: small holes take their close surroundings.
        foreach (var sigma in new[] { 2.0, 6.0, 18.0 })
        {
            using var num = new Mat();
            using var den = new Mat();
            Cv2.GaussianBlur(weighted, num, new Size(0, 0), sigma);
            Cv2.GaussianBlur(weight, den, new Size(0, 0), sigma);
            using var reached = new Mat();
            Cv2.Threshold(den, reached, 0.05, 255, ThresholdTypes.Binary);
            using var reached8 = new Mat();
            reached.ConvertTo(reached8, MatType.CV_8UC1);
            using var fill = new Mat();
            Cv2.BitwiseAnd(holes, reached8, fill);
            using var estimate = new Mat();
            Cv2.Divide(num, den, estimate);
            estimate.CopyTo(map, fill);
            using var remaining = new Mat();
            Cv2.BitwiseAnd(holes, ~reached8, remaining);
            remaining.CopyTo(holes);
        }
        map.SetTo(new Scalar(fallback), holes);
    }

    /// <summary>Removes the least-squares plane (the casing's tilt in the holder is not part of its topography).</summary>
    private static void Level(Mat map)
    {
        int rows = map.Rows, cols = map.Cols;
        var values = new float[rows * cols];
        map.GetArray(out float[] data);
        data.CopyTo(values, 0);
        double sx = 0, sy = 0, sz = 0, sxx = 0, syy = 0, sxy = 0, sxz = 0, syz = 0;
        double n = values.Length;
        for (var v = 0; v < rows; v++)
        {
            for (var u = 0; u < cols; u++)
            {
                double z = values[(v * cols) + u];
                sx += u; sy += v; sz += z; sxx += u * u; syy += v * v; sxy += u * v; sxz += u * z; syz += v * z;
            }
        }
        using var a = Mat.FromArray(new double[,] { { sxx, sxy, sx }, { sxy, syy, sy }, { sx, sy, n } });
        using var b = Mat.FromArray(new double[,] { { sxz }, { syz }, { sz } });
        using var c = new Mat();
        Cv2.Solve(a, b, c, DecompTypes.SVD);
        double p = c.At<double>(0, 0), q = c.At<double>(1, 0), r = c.At<double>(2, 0);
        for (var v = 0; v < rows; v++)
        {
            for (var u = 0; u < cols; u++)
            {
                values[(v * cols) + u] -= (float)((p * u) + (q * v) + r);
            }
        }
        map.SetArray(values);
    }

    /// <summary>Areal roughness over the measured (finite) heights.</summary>
    private static double Sq(Mat map)
    {
        using var finite = new Mat();
        Cv2.Compare(map, map, finite, CmpTypes.EQ);
        Cv2.MeanStdDev(map, out _, out var std, finite);
        return std.Val0;
    }

    /// <summary>A copy with the unmeasured (NaN) pixels filled from their neighbours, for the correlation.</summary>
    private static Mat Filled(Mat map)
    {
        var copy = map.Clone();
        using var finite = new Mat();
        Cv2.Compare(copy, copy, finite, CmpTypes.EQ);
        FillFromNeighbours(copy, finite);
        return copy;
    }

    private async Task AppendToChartAsync(CalibrationRecord record, double accf, double sq, double sqChange, bool passed, bool baseline, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{record.PerformedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ},{record.Id},{record.PerformedBy},{accf:0.#####},{sq:0.#####},{sqChange:0.###},{_options.MinimumCorrelation},{(passed ? "true" : "false")},{(baseline ? "true" : "false")}\n");
        var isNew = !File.Exists(CsvPath);
        // Append-only: a chart's history is never rewritten; the line is flushed to disk before the answer.
        await using (var stream = new FileStream(CsvPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            var text = (isNew ? CsvHeader + "\n" : string.Empty) + line;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        var rows = ReadChart();
        var png = ControlChartRenderer.Render(rows, _options.MinimumCorrelation);
        var tmp = PngPath + ".new";
        await File.WriteAllBytesAsync(tmp, png, ct).ConfigureAwait(false);
        File.Move(tmp, PngPath, overwrite: true);
    }

    /// <summary>The chart's rows: time, areal cross-correlation, passed.</summary>
    public IReadOnlyList<(DateTimeOffset At, double Value, bool Passed)> ReadChart()
    {
        var rows = new List<(DateTimeOffset, double, bool)>();
        foreach (var line in File.ReadLines(CsvPath).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length >= 8
                && DateTimeOffset.TryParse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                && double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                rows.Add((at, value, f[7] == "true"));
            }
        }
        return rows;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
