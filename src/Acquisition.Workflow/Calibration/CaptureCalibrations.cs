using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Imaging.Stacking;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;
using Acquisition.Workflow.Recipes;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration;

/// <summary>
/// The corrections a capture applies from the calibration records current at its start: the flat-field gain map of
/// each recipe lighting (multiplied into every frame before it is stacked), the ring segments' drive factors (applied
/// whenever a recipe lighting is set) and the magnification change with z (handed to the focus stacker); the
/// camera–stage rotation is applied where image offsets become stage moves (<see cref="PixelCalibration"/>). Each
/// correction names the record it came from, and what it did, for capture.json. The raw frames a package may keep
/// stay as the camera gave them: the correction is re-done from the named records, never baked into evidence.
/// </summary>
public sealed class CaptureCalibrations : IDisposable
{
    private readonly Dictionary<string, Mat> _gainByLighting;
    private readonly IReadOnlyList<double>? _driveFactors;

    private CaptureCalibrations(Dictionary<string, Mat> gains, IReadOnlyList<double>? driveFactors, MagnificationModel magnification,
        IReadOnlyList<CalibrationRecord> records, IReadOnlyList<AppliedCalibration> applied)
    {
        _gainByLighting = gains;
        _driveFactors = driveFactors;
        Magnification = magnification;
        Records = records;
        Applied = applied;
    }

    /// <summary>The magnification against z (relative to the autofocus plane) the stacker corrects for.</summary>
    public MagnificationModel Magnification { get; }

    /// <summary>The records the corrections came from (beside those the precondition check used).</summary>
    public IReadOnlyList<CalibrationRecord> Records { get; }

    /// <summary>One entry per kind: the record and what was applied, for capture.json.</summary>
    public IReadOnlyList<AppliedCalibration> Applied { get; }

    /// <summary>
    /// Reads the corrections for <paramref name="lightings"/> (every lighting the recipe's regions use) from the
    /// records the precondition check used, or else the newest valid record of the kind. A record that names a gain map
    /// the station cannot read, or that does not fit the camera or the ring, refuses the capture with what to do.
    /// </summary>
    public static CaptureCalibrations Load(CalibrationStore store, IReadOnlyList<CalibrationRecord> used, DateTimeOffset at,
        IReadOnlyCollection<LightingStep> lightings, int segmentCount, int frameWidth, int frameHeight)
    {
        CalibrationRecord? Pick(CalibrationKind kind) => used.FirstOrDefault(r => r.Kind == kind) ?? store.LatestValid(kind, at);
        var records = new List<CalibrationRecord>();
        var applied = new List<AppliedCalibration>();
        var gains = new Dictionary<string, Mat>(StringComparer.Ordinal);
        try
        {
            // Lights first: a lighting composed from several segments' gain maps is weighted by the levels the ring
            // is actually driven at, which include the drive factors.
            var lights = Pick(CalibrationKind.Lights);
            IReadOnlyList<double>? factors = null;
            AppliedCalibration lightsApplied;
            if (lights is null)
            {
                lightsApplied = new AppliedCalibration(nameof(CalibrationKind.Lights), null, false, "no lights calibration: the ring segments are driven at the recipe's levels");
            }
            else
            {
                factors = DriveFactors(lights, segmentCount);
                lightsApplied = new AppliedCalibration(nameof(CalibrationKind.Lights), lights.Id, true,
                    "each ring segment's level × its drive factor [" + string.Join(", ", factors.Select(f => f.ToString("0.#####", CultureInfo.InvariantCulture))) + "]");
            }

            var flat = Pick(CalibrationKind.FlatField);
            applied.Add(LoadFlatField(store, flat, lightings, segmentCount, step => Driven(step, segmentCount, factors), frameWidth, frameHeight, gains));
            if (flat is not null)
            {
                records.Add(flat);
            }
            if (lights is not null)
            {
                records.Add(lights);
            }
            applied.Add(lightsApplied);

            var pixel = Pick(CalibrationKind.PixelSize);
            var magnification = MagnificationModel.Identity;
            if (pixel is not null && pixel.Values.TryGetProperty("magnificationChangePerMicrometre", out var k) && k.ValueKind == JsonValueKind.Number && k.GetDouble() != 0)
            {
                var perMicrometre = k.GetDouble();
                if (Math.Abs(perMicrometre) >= 1e-3)
                {
                    throw new CaptureRefusedException(Invariant($"Calibration record '{pixel.Id}' has a magnification change of {perMicrometre} per µm; expected below 1e-3. Re-run the pixel-size calibration."));
                }
                magnification = new MagnificationModel(perMicrometre, 0);
                applied.Add(new AppliedCalibration("Magnification", pixel.Id, true,
                    Invariant($"every slice scaled about the image centre to the first slice's magnification, m(z) = 1 + {perMicrometre:0.###e+0} per µm × z")));
            }
            else
            {
                applied.Add(new AppliedCalibration("Magnification", pixel?.Id, false, "the pixel-size record holds no magnification change with z: slices are registered by translation only"));
            }
            if (pixel is not null)
            {
                // The capture reads the rotation through PixelCalibration; named here so capture.json says where it acted.
                var degrees = pixel.Values.TryGetProperty("rotationDegrees", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : 0;
                applied.Add(new AppliedCalibration("Rotation", pixel.Id, true,
                    Invariant($"camera–stage rotation {degrees:0.#####}°: image offsets are turned by it into stage moves (primer centring, position checks); the height map stays on the camera's pixel grid")));
            }
            return new CaptureCalibrations(gains, factors, magnification, records, applied);
        }
        catch
        {
            foreach (var g in gains.Values)
            {
                g.Dispose();
            }
            throw;
        }
    }

    /// <summary>The state to set for a recipe lighting: its levels times the segments' drive factors.</summary>
    public LightingState Light(LightingStep step, int segmentCount) => Driven(step, segmentCount, _driveFactors);

    private static LightingState Driven(LightingStep step, int segmentCount, IReadOnlyList<double>? driveFactors)
    {
        var state = step.ToState(segmentCount);
        if (driveFactors is null)
        {
            return state;
        }
        var levels = state.Segments.Select((level, i) => Math.Clamp(level * driveFactors[i], 0, 1)).ToArray();
        return new LightingState([.. levels], state.Coaxial);
    }

    /// <summary>The gain map (CV_32F, frame size) for a recipe lighting, or null when none applies.</summary>
    public Mat? GainFor(string lightingName) => _gainByLighting.GetValueOrDefault(lightingName);

    /// <summary>
    /// The frame multiplied by <paramref name="gain"/>, as a new frame of the same format (saturating at full scale):
    /// one multiply per frame, run on the stacking side of the frame channel, so it overlaps the next move.
    /// </summary>
    public static Frame Flatten(Frame frame, Mat gain)
    {
        var type = frame.BytesPerPixel == 1 ? MatType.CV_8UC1 : MatType.CV_16UC1;
        var output = new byte[frame.Data.Length];
        using (var raw = Mat.FromPixelData(frame.Height, frame.Width, type, frame.Data))
        using (var corrected = Mat.FromPixelData(frame.Height, frame.Width, type, output))
        {
            Cv2.Multiply(raw, gain, corrected, 1, type.Depth);
        }
        if (frame.Format == PixelFormat.Mono12)
        {
            // A 16-bit container: clip at the 12-bit full scale the rest of the pipeline assumes.
            var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(output.AsSpan());
            for (var i = 0; i < samples.Length; i++)
            {
                if (samples[i] > 4095)
                {
                    samples[i] = 4095;
                }
            }
        }
        return new Frame(frame.Width, frame.Height, frame.Format, output, frame.Sequence, frame.ExposureStart, frame.Exposure);
    }

    private static AppliedCalibration LoadFlatField(CalibrationStore store, CalibrationRecord? record, IReadOnlyCollection<LightingStep> lightings,
        int segmentCount, Func<LightingStep, LightingState> driven, int width, int height, Dictionary<string, Mat> gains)
    {
        const string kind = nameof(CalibrationKind.FlatField);
        if (record is null)
        {
            return new AppliedCalibration(kind, null, false, "no flat-field calibration: frames are stacked uncorrected");
        }
        if (record.Values.TryGetProperty("identity", out var identity) && identity.ValueKind == JsonValueKind.True)
        {
            return new AppliedCalibration(kind, record.Id, false, "the record is the identity (unit gain): frames are stacked uncorrected");
        }
        if (!record.Values.TryGetProperty("gainMaps", out var maps) || maps.ValueKind != JsonValueKind.Object)
        {
            throw new CaptureRefusedException($"Flat-field calibration record '{record.Id}' lists no gain maps. Re-run the flat-field calibration.");
        }
        var perLighting = new Dictionary<string, string>(StringComparer.Ordinal);
        var loaded = new Dictionary<string, Mat>(StringComparer.Ordinal);
        var composed = new List<Mat>();
        try
        {
            Mat Gain(string mapName, JsonElement map)
            {
                if (!loaded.TryGetValue(mapName, out var gain))
                {
                    gain = ReadGain(store, record, mapName, map, width, height);
                    loaded[mapName] = gain;
                }
                return gain;
            }
            foreach (var step in lightings.DistinctBy(l => l.Name))
            {
                var mapName = MapNameFor(step, segmentCount);
                if (mapName is not null && maps.TryGetProperty(mapName, out var map))
                {
                    gains[step.Name] = Gain(mapName, map);
                    perLighting[step.Name] = $"{mapName}: {map.GetProperty("file").GetString()} (sha256 {map.GetProperty("sha256").GetString()})";
                    continue;
                }
                // No map of this exact combination: compose one from the single sources' maps.
                var sources = SourcesOf(driven(step));
                var missing = sources.Where(src => !maps.TryGetProperty(src.MapName, out _)).Select(src => src.MapName).ToList();
                if (sources.Count == 0 || missing.Count > 0)
                {
                    perLighting[step.Name] = sources.Count == 0
                        ? "not corrected: the lighting drives no light"
                        : $"not corrected: no gain map of this combination, and the record has no '{string.Join("', '", missing)}' map to compose one from";
                    continue;
                }
                var weighted = sources.Select(src =>
                {
                    var map = maps.GetProperty(src.MapName);
                    return (src.MapName, Map: map, Gain: Gain(src.MapName, map), Weight: src.Level * BrightnessPerUnitLevel(record, src.MapName, map));
                }).ToList();
                var gainMap = Compose(weighted.Select(w => (w.Gain, w.Weight)).ToList());
                composed.Add(gainMap);
                gains[step.Name] = gainMap;
                perLighting[step.Name] = "composed from " + string.Join(" + ", weighted.Select(w => Invariant(
                    $"{w.MapName} × {w.Weight:0.####} ({w.Map.GetProperty("file").GetString()}, sha256 {w.Map.GetProperty("sha256").GetString()})")));
            }
        }
        catch
        {
            foreach (var m in loaded.Values.Concat(composed))
            {
                m.Dispose();
            }
            gains.Clear();
            throw;
        }
        // Maps read only to compose others are not kept.
        foreach (var m in loaded.Values.Where(m => !gains.Values.Contains(m)))
        {
            m.Dispose();
        }
        var count = gains.Count;
        return new AppliedCalibration(kind, record.Id, count > 0,
            count > 0 ? $"each frame multiplied by its lighting's gain map before stacking ({count} of {perLighting.Count} lightings)" : "no recipe lighting has a gain map: frames are stacked uncorrected",
            perLighting);
    }

    /// <summary>The procedure calibrates the whole ring, each segment alone and the coaxial light alone.</summary>
    private static string? MapNameFor(LightingStep step, int segmentCount)
    {
        var segments = step.Intensity > 0 ? step.Segments.Distinct().Order().ToList() : [];
        var coaxial = step.Coaxial > 0;
        return (segments.Count, coaxial) switch
        {
            (0, true) => "coaxial",
            (1, false) => $"segment-{segments[0].ToString(CultureInfo.InvariantCulture)}",
            (var n, false) when n == segmentCount => "ring-all",
            _ => null,
        };
    }

    /// <summary>The single sources a lighting drives, each with the level it is driven at (drive factors included).</summary>
    private static List<(string MapName, double Level)> SourcesOf(LightingState state)
    {
        var sources = new List<(string, double)>();
        for (var k = 0; k < state.Segments.Length; k++)
        {
            if (state.Segments[k] > 0)
            {
                sources.Add(($"segment-{k.ToString(CultureInfo.InvariantCulture)}", state.Segments[k]));
            }
        }
        if (state.Coaxial > 0)
        {
            sources.Add(("coaxial", state.Coaxial));
        }
        return sources;
    }

    /// <summary>
    /// The mean signal one source gave on the white target per unit drive level, as a fraction of full scale. Records
    /// since 2026-11 carry the measured mean; older ones only the level, which the procedure chose to bring the target
    /// to half of full scale (<see cref="Procedures.FlatFieldProcedure.AimFraction"/>), so that aim stands in for it.
    /// </summary>
    private static double BrightnessPerUnitLevel(CalibrationRecord record, string mapName, JsonElement map)
    {
        var level = map.TryGetProperty("level", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble() : double.NaN;
        var mean = map.TryGetProperty("meanFractionOfFullScale", out var m) && m.ValueKind == JsonValueKind.Number
            ? m.GetDouble()
            : Procedures.FlatFieldProcedure.AimFraction;
        if (!(level > 0 && level <= 1) || !(mean > 0))
        {
            throw new CaptureRefusedException(Invariant($"Flat-field calibration record '{record.Id}' has no usable level ({level}) or mean ({mean}) for its '{mapName}' gain map, which a mixed lighting is composed from. Re-run the flat-field calibration."));
        }
        return mean / level;
    }

    /// <summary>
    /// A gain map is mean / shading, so each source's normalised shading is 1 / gain. Light adds: the mixed lighting's
    /// shading is the sum of the sources' shadings weighted by how bright each is at its level, and its gain map is
    /// that sum's mean over the sum.
    /// </summary>
    private static Mat Compose(IReadOnlyList<(Mat Gain, double Weight)> sources)
    {
        var shading = new Mat(sources[0].Gain.Size(), MatType.CV_32FC1, Scalar.All(0));
        try
        {
            using var term = new Mat();
            foreach (var (gain, weight) in sources)
            {
                Cv2.Divide(weight, gain, term);
                Cv2.Add(shading, term, shading);
            }
            var result = new Mat();
            Cv2.Divide(Cv2.Mean(shading).Val0, shading, result);
            return result;
        }
        finally
        {
            shading.Dispose();
        }
    }

    private static Mat ReadGain(CalibrationStore store, CalibrationRecord record, string mapName, JsonElement map, int width, int height)
    {
        var file = map.TryGetProperty("file", out var f) ? f.GetString() : null;
        var sha = map.TryGetProperty("sha256", out var s) ? s.GetString() : null;
        if (string.IsNullOrEmpty(file) || string.IsNullOrEmpty(sha) || file.Contains('/') || file.Contains('\\') || file.Contains(".."))
        {
            throw new CaptureRefusedException($"Flat-field calibration record '{record.Id}' names no valid gain map file for '{mapName}'. Re-run the flat-field calibration.");
        }
        var path = Path.Combine(store.FilesDirectory(CalibrationKind.FlatField), file);
        if (!File.Exists(path))
        {
            throw new CaptureRefusedException($"The gain map '{path}' of flat-field calibration '{record.Id}' is missing. Restore it from a backup or re-run the flat-field calibration.");
        }
        var bytes = File.ReadAllBytes(path);
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha, StringComparison.OrdinalIgnoreCase))
        {
            throw new CaptureRefusedException($"The gain map '{path}' does not match the SHA-256 recorded in flat-field calibration '{record.Id}': it was altered. Re-run the flat-field calibration.");
        }
        var gain = Cv2.ImDecode(bytes, ImreadModes.Unchanged);
        if (gain.Empty() || gain.Type() != MatType.CV_32FC1 || gain.Width != width || gain.Height != height)
        {
            var what = gain.Empty() ? "unreadable" : $"{gain.Width}×{gain.Height} {gain.Type()}";
            gain.Dispose();
            throw new CaptureRefusedException($"The gain map '{path}' of flat-field calibration '{record.Id}' is {what}, but the camera gives {width}×{height} frames (CV_32FC1 expected). Re-run the flat-field calibration at this camera setting.");
        }
        return gain;
    }

    private static IReadOnlyList<double> DriveFactors(CalibrationRecord record, int segmentCount)
    {
        if (!record.Values.TryGetProperty("driveFactors", out var f) || f.ValueKind != JsonValueKind.Array)
        {
            throw new CaptureRefusedException($"Lights calibration record '{record.Id}' has no driveFactors. Re-run the lights calibration.");
        }
        var factors = f.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN).ToList();
        if (factors.Count != segmentCount || factors.Any(x => !(x is > 0 and <= 1)))
        {
            throw new CaptureRefusedException($"Lights calibration record '{record.Id}' has {factors.Count} drive factors ({string.Join(", ", factors.Select(x => x.ToString(CultureInfo.InvariantCulture)))}) for a ring of {segmentCount} segments; each must be in (0, 1]. Re-run the lights calibration.");
        }
        return factors;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var g in _gainByLighting.Values.Distinct())
        {
            g.Dispose();
        }
    }
}
