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

    /// <summary>
    /// What the X3P's Record2 Comment and report.json say about calibration: image files from an unknown instrument
    /// come with none, and ISO 5436-2 still requires a CalibrationDate.
    /// </summary>
    public const string NoCalibration =
        "No calibration applies: offline re-processing of image files by acq stack. CalibrationDate is the processing time, only because ISO 5436-2 requires the element; the lateral scale is the pixel size given (or assumed) on the command line.";

    private static readonly string[] Extensions = [".png", ".tif", ".tiff"];

    /// <summary>The largest value 12-bit data can hold; 16-bit stacks that never exceed it get a warning.</summary>
    private const int TwelveBitMaximum = 4095;

    /// <summary>
    /// The station refuses a calibrated magnification change of this much per µm or more (CaptureCalibrations in
    /// Acquisition.Workflow): beyond it the pixel-size calibration went wrong, not the optics.
    /// </summary>
    public const double MaxMagnificationChangePerMicrometre = 1e-3;

    private readonly IReadOnlyList<string> _inputs;
    private readonly Micrometres _zStart;
    private readonly Micrometres _zStep;
    private readonly Micrometres? _pixelSize;
    private readonly string _outputDirectory;
    private readonly int? _bitDepth;
    private readonly double _magnificationPerMicrometre;

    public StackJob(IReadOnlyList<string> inputs, Micrometres zStart, Micrometres zStep, Micrometres? pixelSize, string outputDirectory, int? bitDepth,
        double magnificationPerMicrometre = 0)
    {
        _inputs = inputs;
        _zStart = zStart;
        _zStep = zStep;
        _pixelSize = pixelSize;
        _outputDirectory = outputDirectory;
        _bitDepth = bitDepth;
        _magnificationPerMicrometre = magnificationPerMicrometre;
    }

    /// <summary>
    /// Runs the job; returns a one-line summary. Notes and warnings go to <paramref name="log"/> (stderr). Bad input
    /// throws <see cref="StackInputException"/>, before any slice is read where the command line alone shows it.
    /// </summary>
    public async Task<string> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!double.IsFinite(_zStep.Value) || _zStep.Value == 0)
        {
            throw StackInputException.Usage($"--z-step must be a non-zero number of µm (got {_zStep.Value.ToString(inv)}).");
        }
        if (!double.IsFinite(_zStart.Value))
        {
            throw StackInputException.Usage("--z-start must be a finite number of µm.");
        }
        if (_pixelSize is { } ps && !(ps.Value > 0 && double.IsFinite(ps.Value)))
        {
            throw StackInputException.Usage($"--pixel-size must be a positive number of µm (got {ps.Value.ToString(inv)}).");
        }
        if (_bitDepth is { } bd && bd is < 8 or > 16)
        {
            throw StackInputException.Usage($"--bit-depth must be 8–16 (got {_bitDepth}).");
        }
        if (!(Math.Abs(_magnificationPerMicrometre) < MaxMagnificationChangePerMicrometre))
        {
            throw StackInputException.Usage(string.Format(inv,
                "--magnification-per-um must be below {0:0e+0} in magnitude (got {1}): the station refuses such a calibration too. Give the relative magnification change per µm of z from the pixel-size calibration, e.g. 3e-4.",
                MaxMagnificationChangePerMicrometre, _magnificationPerMicrometre));
        }
        if (string.IsNullOrWhiteSpace(_outputDirectory))
        {
            throw StackInputException.Usage("--out must name an output folder.");
        }
        var files = ResolveInputs(_inputs);
        if (files.Count < 3)
        {
            throw StackInputException.Usage($"A focus stack needs at least 3 slices; found {files.Count}.");
        }
        var outDir = Path.GetFullPath(_outputDirectory);
        foreach (var name in new[] { FusedFileName, HeightFileName, PreviewFileName, ReportFileName })
        {
            if (File.Exists(Path.Combine(outDir, name)))
            {
                throw StackInputException.File($"'{Path.Combine(outDir, name)}' already exists; results are never overwritten. Choose another --out folder.");
            }
        }
        // Before minutes of stacking, not after: an output folder that cannot be made or written ends the run now.
        var tmpDir = Path.Combine(outDir, ".tmp");
        bool createdOutDir = EnsureWritable(outDir, tmpDir);
        try
        {
            return await RunCoreAsync(files, outDir, tmpDir, log, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A failed or interrupted run leaves nothing behind: no result of its own (none of them existed when it
            // started, so any there now are this run's, and an incomplete set would only block the re-run with
            // "already exists"), and no empty folders for the engineer to wonder about.
            foreach (var name in new[] { FusedFileName, HeightFileName, PreviewFileName, ReportFileName })
            {
                TryDelete(Path.Combine(outDir, name));
            }
            TryRemoveEmptyDirectory(tmpDir);
            if (createdOutDir)
            {
                TryRemoveEmptyDirectory(outDir);
            }
            throw;
        }
    }

    private async Task<string> RunCoreAsync(IReadOnlyList<string> files, string outDir, string tmpDir, TextWriter log, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var warnings = new List<string>();
        var pixelSize = _pixelSize ?? DefaultPixelSize;
        if (_pixelSize is null)
        {
            await log.WriteLineAsync($"acq stack: --pixel-size not given; assuming {DefaultPixelSize} (recorded in the report).").ConfigureAwait(false);
        }

        var options = new FocusStackerOptions
        {
            OnRegistrationFailure = RegistrationFailurePolicy.Flag,
            // As the station builds it from the pixel-size calibration (CaptureCalibrations): k per µm of stage z,
            // reference z 0; the stacker scales every slice to the first slice's magnification.
            Magnification = _magnificationPerMicrometre == 0 ? MagnificationModel.Identity : new MagnificationModel(_magnificationPerMicrometre, 0),
        };
        FocusStackResult result;
        int fileBits = 0;
        // The largest 16-bit value seen: 12-bit data stored unshifted in 16-bit files (how the station saves Mono12
        // frames) never exceeds 4095, and only the whole stack can tell; a running maximum keeps the stack streaming.
        double maxValue16 = 0;
        // The stacker is made when the first slice shows the frame size: with a given pixel size the registration
        // downscale is then chosen as the station chooses it (RegistrationField), so a station stack re-processed
        // here registers on the same field. It is disposed as soon as it has produced the result, so its buffers are
        // gone before the outputs are encoded.
        StreamingFocusStacker? stacker = null;
        Size? size = null;
        try
        {
            string firstPath = files[0];
            for (int i = 0; i < files.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var path = files[i];
                using var image = Cv2.ImRead(path, ImreadModes.Unchanged);
                if (image.Empty())
                {
                    throw StackInputException.File($"Cannot read '{path}' as an image; it may be damaged or not a PNG/TIFF file.");
                }
                var depth = image.Depth();
                if (depth != MatType.CV_8U && depth != MatType.CV_16U)
                {
                    throw StackInputException.File($"'{path}' is not 8- or 16-bit unsigned (OpenCV depth {depth}); convert the stack to 8- or 16-bit PNG/TIFF.");
                }
                int bitsInFile = depth == MatType.CV_8U ? 8 : 16;
                if (size is null)
                {
                    size = image.Size();
                    fileBits = bitsInFile;
                    if (_pixelSize is { } given && RegistrationField.DownscaleFor(image.Width, image.Height, given.Value, options.RegistrationCropPixels) is { } downscale)
                    {
                        options.RegistrationDownscale = downscale;
                    }
                    stacker = new StreamingFocusStacker(options);
                }
                else if (image.Size() != size.Value)
                {
                    throw StackInputException.File($"'{path}' is {image.Width}×{image.Height} but the first slice '{firstPath}' is {size.Value.Width}×{size.Value.Height}; all slices must have the same size.");
                }
                else if (bitsInFile != fileBits)
                {
                    // The stacker takes each slice's full scale from that slice, so a mixed stack would fuse, and
                    // could pass QC, with saturation and noise judged on different scales from slice to slice.
                    throw StackInputException.File($"'{path}' is {bitsInFile}-bit but the first slice '{firstPath}' is {fileBits}-bit; all slices must have the same bit depth. Convert the stack to one depth (the camera's) and run again.");
                }
                if (bitsInFile == 16 && (_bitDepth is < 16 || (_bitDepth is null && maxValue16 <= TwelveBitMaximum)))
                {
                    double max = MaxValue(image);
                    maxValue16 = Math.Max(maxValue16, max);
                    if (_bitDepth is { } declared && declared < 16 && max > (1 << declared) - 1)
                    {
                        throw StackInputException.File(string.Format(inv,
                            "'{0}' holds values up to {1} but --bit-depth {2} allows at most {3}. If the data is 16-bit, drop --bit-depth {2}; if the camera stores {2}-bit data in the high bits of 16-bit files, shift every slice right by {4} bits and run again.",
                            path, max, declared, (1 << declared) - 1, 16 - declared));
                    }
                }
                int bits = bitsInFile == 8 ? 8 : _bitDepth ?? 16;
                var z = new Micrometres(_zStart.Value + i * _zStep.Value);
                var registration = stacker!.Add(image, bits, z);
                if (!registration.Succeeded)
                {
                    var warning = $"slice {i} ({Path.GetFileName(path)}) not registered: {registration.FailureReason}";
                    warnings.Add(warning);
                    await log.WriteLineAsync("acq stack: warning: " + warning).ConfigureAwait(false);
                }
                else if (registration.Held)
                {
                    await log.WriteLineAsync($"acq stack: slice {i} ({Path.GetFileName(path)}) too faint to register: kept the previous slice's position").ConfigureAwait(false);
                }
            }
            result = stacker!.Complete();
        }
        finally
        {
            stacker?.Dispose();
        }
        if (fileBits == 16 && _bitDepth is null && maxValue16 <= TwelveBitMaximum)
        {
            var warning = string.Format(inv,
                "every slice is a 16-bit file whose values stay at or below {0} (maximum {1}): the data looks like 12-bit in 16-bit files (as the station saves Mono12 frames), but it was judged as 16-bit, so saturation and noise in the quality report are wrong. If the camera is 12-bit, run again with --bit-depth 12; if the data really is 16-bit, it uses under 1/16 of its range.",
                TwelveBitMaximum, maxValue16);
            warnings.Add(warning);
            await log.WriteLineAsync("acq stack: warning: " + warning).ConfigureAwait(false);
        }
        using var resultScope = result;
        var quality = QualityMetrics.Evaluate(result, null, QualityThresholds.Default);
        // The confidence map only feeds the quality metrics; freeing it now lowers the output stage's peak (20 MB at
        // 2448×2048). Mat.Dispose is idempotent, so the result's own Dispose stays safe.
        result.Confidence.Dispose();
        // The stacker's managed buffers are garbage once it is disposed but still resident, and the outputs stage adds
        // its own frame-sized buffers on top (the preview's four Mats, two grey and two BGR, ≈ 40 MB at 2448×2048; its
        // percentiles come from a fixed 4096-bin histogram, not a copy of the heights; then the X3P's float array).
        // Without giving the garbage back first, the two together set the peak working set (docs/benchmarks.md). One
        // aggressive collection in a one-shot batch command costs milliseconds.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        // The outputs are encoded one at a time, each straight to a scratch file and streamed from there through
        // DurableFileWriter, and every big buffer is freed before the next is made: whole-file byte arrays here set the
        // peak working set of `acq stack` (docs/benchmarks.md). The files are byte-identical to encoding in memory.
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
            msPerSlice,
            _magnificationPerMicrometre,
            NoCalibration,
            warnings,
            options.EffectiveRegistrationDownscale(size!.Value.Width, size.Value.Height),
            options.EffectiveRegistrationCropPixels(size.Value.Width, size.Value.Height));
        var json = JsonSerializer.SerializeToUtf8Bytes(report, JsonOptions);
        await writer.WriteAsync(Path.Combine(outDir, ReportFileName), json, cancellationToken).ConfigureAwait(false);
        TryRemoveEmptyDirectory(tmpDir);

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
        // ISO 5436-2 requires CalibrationDate (minOccurs 1), and no calibration applies to files from an unknown
        // instrument: the element holds the processing time, equal to Date, and the Comment says what that means
        // (docs/x3p.md), so no reader takes it for a calibration.
        var record2 = new X3pRecord2(
            now,
            "acq stack (offline re-processing)",
            new X3pInstrument("unknown (re-processed image files)", "acq stack", "n/a", "acq " + Version),
            now,
            "NonContacting",
            "Focus variation: streaming focus stacking of image files by acq stack",
            NoCalibration);
        return new X3pDocument(surface, record2);
    }

    /// <summary>
    /// Makes <paramref name="outDir"/> and its scratch folder and proves a file can be created there; returns whether
    /// the output folder is new. Failures are the engineer's to fix (exit 6), named with the folder.
    /// </summary>
    private static bool EnsureWritable(string outDir, string tmpDir)
    {
        bool existed = Directory.Exists(outDir);
        try
        {
            Directory.CreateDirectory(tmpDir);
            var probe = Path.Combine(tmpDir, $"write-test.{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
            return !existed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StackInputException.File($"Cannot write results to --out '{outDir}': {e.Message} Choose a folder you can write to (it is created if missing).", e);
        }
    }

    /// <summary>The largest sample value of a 16-bit slice, over all its channels.</summary>
    private static double MaxValue(Mat image)
    {
        using var samples = image.Channels() == 1 ? null : image.Reshape(1);
        Cv2.MinMaxLoc(samples ?? image, out _, out double max);
        return max;
    }

    /// <summary>A single folder → its image files in natural name order; otherwise the files as listed.</summary>
    public static IReadOnlyList<string> ResolveInputs(IReadOnlyList<string> inputs)
    {
        if (inputs.Count == 0)
        {
            throw StackInputException.Usage("Give a folder of slices or the slice files in stack order.");
        }
        if (inputs.Count == 1 && Directory.Exists(inputs[0]))
        {
            var files = Directory.EnumerateFiles(inputs[0])
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .ToList();
            if (files.Count == 0)
            {
                throw StackInputException.Usage($"Folder '{inputs[0]}' holds no .png, .tif or .tiff files; give the folder that holds the slices, or the slice files themselves.");
            }
            files.Sort(NaturalCompare);
            return files;
        }
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                throw StackInputException.Usage($"'{input}' is a folder; give either one folder or a list of files, not both.");
            }
            if (!File.Exists(input))
            {
                throw StackInputException.File($"Slice file '{input}' does not exist.");
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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort on the way out of a failed run; the original error is what gets reported.
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
