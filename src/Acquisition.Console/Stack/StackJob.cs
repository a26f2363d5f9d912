using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Acquisition.Core.Storage;
using Acquisition.Core.Units;
using Acquisition.Imaging.Preview;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using Acquisition.Imaging.X3p;
using OpenCvSharp;

namespace Acquisition.Console.Stack;

/// <summary>
/// One `acq stack` run: resolves and reads the slice files one at a time into the same
/// <see cref="StreamingFocusStacker"/> the station uses, then writes the results durably (never overwriting).
/// </summary>
public sealed class StackJob
{
    public const string FusedFileName = "fused.png";
    public const string HeightFileName = "height.x3p";
    public const string PreviewFileName = "depth-preview.png";
    public const string ReportFileName = "report.json";

    /// <summary>The station's nominal optics, used when --pixel-size is not given (the report says so).</summary>
    public static readonly Micrometres DefaultPixelSize = new(2.5);

    private static readonly string[] Extensions = [".png", ".tif", ".tiff"];

    private readonly IReadOnlyList<string> _inputs;
    private readonly Micrometres _zStart;
    private readonly Micrometres _zStep;
    private readonly Micrometres? _pixelSize;
    private readonly string _outputDirectory;
    private readonly int? _bitDepth;

    public StackJob(IReadOnlyList<string> inputs, Micrometres zStart, Micrometres zStep, Micrometres? pixelSize, string outputDirectory, int? bitDepth)
    {
        _inputs = inputs;
        _zStart = zStart;
        _zStep = zStep;
        _pixelSize = pixelSize;
        _outputDirectory = outputDirectory;
        _bitDepth = bitDepth;
    }

    /// <summary>Runs the job; returns a one-line summary. Bad input throws <see cref="StackInputException"/>.</summary>
    public async Task<string> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        if (!double.IsFinite(_zStep.Value) || _zStep.Value == 0)
        {
            throw new StackInputException($"--z-step must be a non-zero number of µm (got {_zStep.Value.ToString(CultureInfo.InvariantCulture)}).");
        }
        if (!double.IsFinite(_zStart.Value))
        {
            throw new StackInputException("--z-start must be a finite number of µm.");
        }
        if (_pixelSize is { } ps && !(ps.Value > 0 && double.IsFinite(ps.Value)))
        {
            throw new StackInputException($"--pixel-size must be a positive number of µm (got {ps.Value.ToString(CultureInfo.InvariantCulture)}).");
        }
        if (_bitDepth is { } bd && bd is < 8 or > 16)
        {
            throw new StackInputException($"--bit-depth must be 8–16 (got {_bitDepth}).");
        }
        if (string.IsNullOrWhiteSpace(_outputDirectory))
        {
            throw new StackInputException("--out must name an output folder.");
        }
        var files = ResolveInputs(_inputs);
        if (files.Count < 3)
        {
            throw new StackInputException($"A focus stack needs at least 3 slices; found {files.Count}.");
        }
        var outDir = Path.GetFullPath(_outputDirectory);
        foreach (var name in new[] { FusedFileName, HeightFileName, PreviewFileName, ReportFileName })
        {
            if (File.Exists(Path.Combine(outDir, name)))
            {
                throw new StackInputException($"'{Path.Combine(outDir, name)}' already exists; results are never overwritten. Choose another --out folder.");
            }
        }

        var pixelSize = _pixelSize ?? DefaultPixelSize;
        if (_pixelSize is null)
        {
            await log.WriteLineAsync($"acq stack: --pixel-size not given; assuming {DefaultPixelSize} (recorded in the report).").ConfigureAwait(false);
        }

        FocusStackResult result;
        // The stacker is disposed as soon as it has produced the result, so its buffers are gone before the outputs
        // are encoded.
        using (var stacker = new StreamingFocusStacker(new FocusStackerOptions { OnRegistrationFailure = RegistrationFailurePolicy.Flag }))
        {
            Size? size = null;
            for (int i = 0; i < files.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var path = files[i];
                using var image = Cv2.ImRead(path, ImreadModes.Unchanged);
                if (image.Empty())
                {
                    throw new StackInputException($"Cannot read '{path}' as an image; it may be damaged or not a PNG/TIFF file.");
                }
                var depth = image.Depth();
                if (depth != MatType.CV_8U && depth != MatType.CV_16U)
                {
                    throw new StackInputException($"'{path}' is not 8- or 16-bit unsigned (OpenCV depth {depth}); convert the stack to 8- or 16-bit PNG/TIFF.");
                }
                if (size is null)
                {
                    size = image.Size();
                }
                else if (image.Size() != size.Value)
                {
                    throw new StackInputException($"'{path}' is {image.Width}×{image.Height} but the first slice is {size.Value.Width}×{size.Value.Height}; all slices must have the same size.");
                }
                int bits = depth == MatType.CV_8U ? 8 : _bitDepth ?? 16;
                var z = new Micrometres(_zStart.Value + i * _zStep.Value);
                var registration = stacker.Add(image, bits, z);
                if (!registration.Succeeded)
                {
                    await log.WriteLineAsync($"acq stack: warning: slice {i} ({Path.GetFileName(path)}) not registered: {registration.FailureReason}").ConfigureAwait(false);
                }
                else if (registration.Held)
                {
                    await log.WriteLineAsync($"acq stack: slice {i} ({Path.GetFileName(path)}) too faint to register: kept the previous slice's position").ConfigureAwait(false);
                }
            }
            result = stacker.Complete();
        }
        using var resultScope = result;
        var quality = QualityMetrics.Evaluate(result, null, QualityThresholds.Default);
        // The confidence map only feeds the quality metrics; freeing it now lowers the output stage's peak (20 MB at
        // 2448×2048). Mat.Dispose is idempotent, so the result's own Dispose stays safe.
        result.Confidence.Dispose();
        // The stacker's managed buffers are garbage once it is disposed but still resident, and the preview renderer allocates
        // ≈ 90 MB transiently (its list of valid heights grows by doubling, then four frame-sized Mats); without
        // giving the garbage back first, the two together set the peak working set (docs/benchmarks.md). One
        // aggressive collection in a one-shot batch command costs milliseconds.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        // The outputs are encoded one at a time, each straight to a scratch file and streamed from there through
        // DurableFileWriter, and every big buffer is freed before the next is made: whole-file byte arrays here set the
        // peak working set of `acq stack` (docs/benchmarks.md). The files are byte-identical to encoding in memory.
        var tmpDir = Path.Combine(outDir, ".tmp");
        var writer = new DurableFileWriter(tmpDir);
        string fusedHash = await WriteImageAsync(writer, tmpDir, Path.Combine(outDir, FusedFileName), result.FusedImage, cancellationToken).ConfigureAwait(false);
        result.FusedImage.Dispose();
        string previewHash;
        using (var preview = DepthPreview.Render(result.HeightMapMicrometres, pixelSize.Value))
        {
            previewHash = await WriteImageAsync(writer, tmpDir, Path.Combine(outDir, PreviewFileName), preview, cancellationToken).ConfigureAwait(false);
        }
        string heightHash = await WriteX3pAsync(writer, tmpDir, Path.Combine(outDir, HeightFileName), result.HeightMapMicrometres, pixelSize, cancellationToken).ConfigureAwait(false);

        // Insertion order is the order in report.json.
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FusedFileName] = fusedHash,
            [HeightFileName] = heightHash,
            [PreviewFileName] = previewHash,
        };

        var stats = result.Statistics;
        double msPerSlice = (stats.SliceProcessingTime + stats.CompleteTime).TotalMilliseconds / stats.SliceCount;
        var report = new StackReport(
            "acq " + Version,
            DateTimeOffset.UtcNow,
            files,
            _zStart.Value,
            _zStep.Value,
            pixelSize.Value,
            _pixelSize is null,
            stats,
            quality,
            hashes,
            Process.GetCurrentProcess().PeakWorkingSet64,
            msPerSlice);
        var json = JsonSerializer.SerializeToUtf8Bytes(report, JsonOptions);
        await writer.WriteAsync(Path.Combine(outDir, ReportFileName), json, cancellationToken).ConfigureAwait(false);
        TryRemoveEmptyDirectory(tmpDir);

        var inv = CultureInfo.InvariantCulture;
        return string.Format(inv, "acq stack: {0} slices → {1}: coverage {2:0.0} %, depth range {3:0.0} µm, {4:0.0} ms/slice, QC {5}{6}",
            stats.SliceCount, outDir, quality.FocusCoveragePercent, quality.DepthRangeMicrometres, msPerSlice,
            quality.Accepted ? "accepted" : "rejected", quality.Accepted ? "" : ": " + string.Join(" ", quality.Reasons));
    }

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private static string Version =>
        typeof(StackJob).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static unsafe X3pDocument ToX3p(Mat heightMicrometres, Micrometres pixelSize)
    {
        int w = heightMicrometres.Width, h = heightMicrometres.Height;
        var metres = new float[w * h];
        for (int y = 0; y < h; y++)
        {
            var row = (float*)heightMicrometres.Ptr(y);
            for (int x = 0; x < w; x++)
            {
                metres[x + y * w] = float.IsNaN(row[x]) ? float.NaN : (float)(row[x] * 1e-6);
            }
        }
        double increment = pixelSize.Value * 1e-6;
        var surface = X3pSurface.FromFloat32Metres(w, h, increment, increment, metres);
        var now = DateTimeOffset.UtcNow;
        var record2 = new X3pRecord2(
            now,
            "acq stack (offline re-processing)",
            new X3pInstrument("unknown (re-processed image files)", "acq stack", "n/a", "acq " + Version),
            now,
            "NonContacting",
            "Focus variation: streaming focus stacking of image files by acq stack");
        return new X3pDocument(surface, record2);
    }

    /// <summary>A single folder → its image files in natural name order; otherwise the files as listed.</summary>
    public static IReadOnlyList<string> ResolveInputs(IReadOnlyList<string> inputs)
    {
        if (inputs.Count == 0)
        {
            throw new StackInputException("Give a folder of slices or the slice files in stack order.");
        }
        if (inputs.Count == 1 && Directory.Exists(inputs[0]))
        {
            var files = Directory.EnumerateFiles(inputs[0])
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .ToList();
            if (files.Count == 0)
            {
                throw new StackInputException($"Folder '{inputs[0]}' holds no .png, .tif or .tiff files.");
            }
            files.Sort(NaturalCompare);
            return files;
        }
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                throw new StackInputException($"'{input}' is a folder; give either one folder or a list of files, not both.");
            }
            if (!File.Exists(input))
            {
                throw new StackInputException($"Slice file '{input}' does not exist.");
            }
        }
        return inputs.ToList();
    }

    /// <summary>Name order with digit runs compared as numbers, so slice2 comes before slice10.</summary>
    public static int NaturalCompare(string? a, string? b)
    {
        a ??= "";
        b ??= "";
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int si = i, sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var na = a[si..i].TrimStart('0');
                var nb = b[sj..j].TrimStart('0');
                int c = na.Length != nb.Length ? na.Length.CompareTo(nb.Length) : string.CompareOrdinal(na, nb);
                if (c != 0)
                {
                    return c;
                }
            }
            else
            {
                int c = a[i].CompareTo(b[j]);
                if (c != 0)
                {
                    return c;
                }
                i++;
                j++;
            }
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }

    /// <summary>
    /// The X3P needs the heights in metres as one array; the micrometre map is freed as soon as it is converted, and
    /// the array is unreachable once this returns.
    /// </summary>
    private static Task<string> WriteX3pAsync(DurableFileWriter writer, string tmpDir, string finalPath, Mat heightMicrometres, Micrometres pixelSize, CancellationToken cancellationToken)
    {
        var document = ToX3p(heightMicrometres, pixelSize);
        heightMicrometres.Dispose();
        return WriteViaScratchAsync(writer, tmpDir, finalPath,
            scratch =>
            {
                using var file = new FileStream(scratch, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                // A seekable file lets ZipArchive write each entry's sizes into its local header, as it did when
                // writing to a MemoryStream, so the container's bytes do not change.
                X3pWriter.Write(document, file);
            },
            cancellationToken);
    }

    /// <summary>PNG-encodes <paramref name="image"/> (by <paramref name="finalPath"/>'s extension) without a managed copy.</summary>
    private static Task<string> WriteImageAsync(DurableFileWriter writer, string tmpDir, string finalPath, Mat image, CancellationToken cancellationToken) =>
        WriteViaScratchAsync(writer, tmpDir, finalPath,
            scratch =>
            {
                if (!Cv2.ImWrite(scratch, image))
                {
                    throw new IOException($"OpenCV could not encode '{Path.GetFileName(finalPath)}' to '{scratch}'.");
                }
            },
            cancellationToken);

    /// <summary>
    /// Lets <paramref name="encode"/> write a scratch file (same extension as the output, so encoders pick the format),
    /// then streams it into <paramref name="finalPath"/> through <see cref="DurableFileWriter"/>, which hashes, fsyncs
    /// and never overwrites. The scratch file is always removed.
    /// </summary>
    private static async Task<string> WriteViaScratchAsync(DurableFileWriter writer, string tmpDir, string finalPath, Action<string> encode, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(tmpDir);
        var scratch = Path.Combine(tmpDir, $"{Path.GetFileNameWithoutExtension(finalPath)}.{Guid.NewGuid():N}.scratch{Path.GetExtension(finalPath)}");
        try
        {
            encode(scratch);
            await using var source = new FileStream(scratch, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return await writer.WriteAsync(finalPath, (destination, ct) => source.CopyToAsync(destination, 1 << 16, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                File.Delete(scratch);
            }
            catch (IOException)
            {
                // A leftover scratch file is harmless; the real error (if any) matters more.
            }
        }
    }

    private static void TryRemoveEmptyDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (IOException)
        {
            // Leaving an empty tmp folder behind is harmless.
        }
    }
}
