using System.Globalization;
using OpenCvSharp;

namespace Acquisition.Imaging.Comparison;

/// <summary>
/// Compares two breech-face height maps as a correlation server would: each is prepared (form removed, band-passed,
/// resampled; NaN masks respected throughout), then the peak masked normalised cross-correlation (CCF) is searched
/// over all rotations and translations with an overlap floor. The rotation search runs coarse to fine: the whole
/// circle on block-averaged maps, then ever finer steps around the best angles on finer maps.
/// </summary>
public static class SurfaceCorrelation
{
    /// <summary>Prepares both maps and finds their best alignment (the CCF and the pose).</summary>
    public static CorrelationResult Compare(MaskedHeightMap reference, MaskedHeightMap moving, CorrelationSettings? settings = null)
    {
        settings ??= new CorrelationSettings();
        settings.Validate();
        return Search(Prepare(reference, settings), Prepare(moving, settings), settings);
    }

    /// <summary>
    /// Form removal (a polynomial of <see cref="CorrelationSettings.FormDegree"/>), the Gaussian band-pass, and
    /// resampling to <see cref="CorrelationSettings.PixelSizeMicrometres"/>, cropped to the valid points.
    /// </summary>
    public static MaskedHeightMap Prepare(MaskedHeightMap map, CorrelationSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        settings ??= new CorrelationSettings();
        settings.Validate();
        var cropped = map.CropToValid();
        var form = FormRemoval.RemovePolynomial(cropped, settings.FormDegree);
        var band = MaskedGaussianFilter.BandPass(form, settings.ShortCutoffMicrometres, settings.LongCutoffMicrometres);
        var resampled = Math.Abs(band.PixelSizeMicrometres - settings.PixelSizeMicrometres) < 1e-9
            ? band
            : HeightMapResampling.Resample(band, settings.PixelSizeMicrometres);
        return resampled.CropToValid();
    }

    /// <summary>
    /// The best alignment of two prepared maps (same pixel size) over all rotations and translations, with the
    /// overlap floor of the settings.
    /// </summary>
    public static CorrelationResult Search(MaskedHeightMap reference, MaskedHeightMap moving, CorrelationSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(moving);
        settings ??= new CorrelationSettings();
        settings.Validate();
        if (Math.Abs(reference.PixelSizeMicrometres - moving.PixelSizeMicrometres) > 1e-6 * reference.PixelSizeMicrometres)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The maps have different pixel sizes ({reference.PixelSizeMicrometres} and {moving.PixelSizeMicrometres} µm): prepare both with the same settings."));
        }
        var levels = settings.SearchLevels;
        var candidates = new List<double>();
        var first = levels[0].AngleStepDegrees;
        for (var i = 0; i * first < 360 - 1e-9; i++)
        {
            candidates.Add(i * first);
        }
        var evaluated = 0;
        CorrelationResult? best = null;
        for (var level = 0; level < levels.Count; level++)
        {
            var (downscale, step) = levels[level];
            var scored = ScoreAngles(HeightMapResampling.Downscale(reference, downscale), HeightMapResampling.Downscale(moving, downscale),
                candidates, settings.MinOverlapFraction);
            evaluated += scored.Count;
            var ranked = scored.Where(s => s.Result is not null).OrderByDescending(s => s.Result!.Ccf).ToList();
            if (ranked.Count == 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"No rotation gives an overlap of {settings.MinOverlapFraction:P0} of the smaller valid area with any texture: the maps cannot be compared."));
            }
            var last = level == levels.Count - 1;
            var keep = last ? 1 : settings.CandidatesPerLevel;
            var kept = new List<double>();
            foreach (var s in ranked)
            {
                // Distinct peaks only: an angle next to a better one is the same peak.
                if (kept.Count < keep && kept.All(k => AngleDistance(k, s.Angle) > step * 1.5))
                {
                    kept.Add(s.Angle);
                }
            }
            best = ranked[0].Result! with { AnglesEvaluated = evaluated };
            if (last)
            {
                break;
            }
            var next = levels[level + 1].AngleStepDegrees;
            candidates = kept
                .SelectMany(angle => Enumerable.Range(0, (int)Math.Round(2 * step / next) + 1).Select(j => angle - step + (j * next)))
                .Select(a => Math.Round(Normalise(a), 6))
                .Distinct()
                .ToList();
        }
        return best!;
    }

    private static List<(double Angle, CorrelationResult? Result)> ScoreAngles(MaskedHeightMap reference, MaskedHeightMap moving,
        IReadOnlyList<double> angles, double minOverlapFraction)
    {
        var (refValues, refMask) = Centred(reference);
        using (refValues)
        using (refMask)
        {
            // One canvas that holds the moving map at any rotation, so the reference's spectra serve every angle. Its
            // sides have the parity of the map's, so the map's centre lands on the canvas centre by a whole-pixel
            // shift: a half-pixel one would blur it and bias the integer search.
            var side = (int)Math.Ceiling(Math.Sqrt((moving.Width * (double)moving.Width) + (moving.Height * (double)moving.Height))) + 2;
            var canvas = new Size(side + ((side - moving.Width) & 1), side + ((side - moving.Height) & 1));
            using var search = new MaskedTranslationSearch(refValues, refMask, canvas.Width, canvas.Height);
            var (values, weights) = Centred(moving);
            using (values)
            using (weights)
            {
                var results = new List<(double, CorrelationResult?)>(angles.Count);
                foreach (var angle in angles)
                {
                    results.Add((angle, AtAngle(search, reference, moving, values, weights, canvas, angle, minOverlapFraction)));
                }
                return results;
            }
        }
    }

    private static CorrelationResult? AtAngle(MaskedTranslationSearch search, MaskedHeightMap reference, MaskedHeightMap moving,
        Mat values, Mat weights, Size canvas, double angle, double minOverlapFraction)
    {
        var centre = new Point2f((moving.Width - 1) / 2f, (moving.Height - 1) / 2f);
        var canvasCentreX = (canvas.Width - 1) / 2.0;
        var canvasCentreY = (canvas.Height - 1) / 2.0;
        using var m = Cv2.GetRotationMatrix2D(centre, angle, 1);
        m.Set(0, 2, m.At<double>(0, 2) + canvasCentreX - centre.X);
        m.Set(1, 2, m.At<double>(1, 2) + canvasCentreY - centre.Y);
        using var rv = new Mat();
        using var rw = new Mat();
        Cv2.WarpAffine(values, rv, m, canvas, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        Cv2.WarpAffine(weights, rw, m, canvas, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        // Normalise by the interpolated weight so edge points are means of valid neighbours, then make the mask binary.
        using var valid = new Mat();
        Cv2.Threshold(rw, valid, 0.5, 1, ThresholdTypes.Binary);
        using var safe = new Mat();
        Cv2.Max(rw, new Scalar(1e-6), safe);
        using var normalised = new Mat();
        Cv2.Divide(rv, safe, normalised);
        Cv2.Multiply(normalised, valid, normalised);
        var movingValid = (int)Math.Round(Cv2.Sum(valid).Val0);
        var smaller = Math.Min(search.ReferenceValidPoints, movingValid);
        var found = search.Best(normalised, valid, minOverlapFraction * smaller);
        if (found is not { } f)
        {
            return null;
        }
        var pixel = reference.PixelSizeMicrometres;
        var shiftX = (f.Dx + canvasCentreX - ((reference.Width - 1) / 2.0)) * pixel;
        var shiftY = (f.Dy + canvasCentreY - ((reference.Height - 1) / 2.0)) * pixel;
        return new CorrelationResult(f.Ncc, Normalise(angle), shiftX, shiftY, f.Overlap / (double)smaller, f.Overlap, 1);
    }

    /// <summary>Values less their mean (0 where invalid) and the binary mask; centring keeps the float sums exact enough.</summary>
    private static (Mat Values, Mat Mask) Centred(MaskedHeightMap map)
    {
        var (values, weights) = map.ToMats();
        using var mask = MaskOf(weights);
        var mean = Cv2.Mean(values, mask).Val0;
        Cv2.Subtract(values, new Scalar(mean), values);
        Cv2.Multiply(values, weights, values);
        return (values, weights);
    }

    private static Mat MaskOf(Mat weights)
    {
        var mask = new Mat();
        Cv2.Compare(weights, new Scalar(0.5), mask, CmpTypes.GT);
        return mask;
    }

    private static double Normalise(double degrees)
    {
        var a = degrees % 360;
        if (a <= -180)
        {
            a += 360;
        }
        else if (a > 180)
        {
            a -= 360;
        }
        return a;
    }

    private static double AngleDistance(double a, double b) => Math.Abs(Normalise(a - b));
}
