using System.Globalization;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// Z scale and Z backlash from a step-height standard centred under the objective (the step edge along the image's
/// vertical middle: the lower level on one side, the upper on the other). The stage sweeps Z upwards, always
/// approaching from below so the backlash is taken up, and finds where each side is sharpest (a Gaussian fitted to
/// the focus curve's peak). The certified step over the commanded Z between the two peaks is the scale (true µm per
/// commanded µm). The backlash is the shift of one side's focus peak between the upward sweep and a downward one,
/// where every point is approached from above and the carriage stays behind by the play.
/// </summary>
public sealed class ZScaleProcedure
{
    public const double DefaultStepHeightMicrometres = 100;
    public const double ScaleLimit = 0.05;
    public const int DefaultBacklashRepeats = 5;
    private const int FramesPerPoint = 1;
    private const double FineStepMicrometres = 2;
    private const double FineHalfRangeMicrometres = 16;

    private readonly CalibrationDevices _devices;

    public ZScaleProcedure(CalibrationDevices devices) => _devices = devices;

    public async Task<ProcedureOutcome> RunAsync(string? method, IReadOnlyDictionary<string, double> parameters, IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        var lights = _devices.Lights;
        var before = lights.Current;
        if (before.IsOff)
        {
            // The target must be lit to be seen: the ring at a moderate level, put back afterwards.
            await lights.SetAsync(LightingState.Segmented(lights.SegmentCount, Enumerable.Range(0, lights.SegmentCount), parameters.GetValueOrDefault("lightLevel", 0.3)), ct).ConfigureAwait(false);
        }
        try
        {
            return await RunLitAsync(method, parameters, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            if (before.IsOff)
            {
                await lights.SetAsync(before, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<ProcedureOutcome> RunLitAsync(string? method, IReadOnlyDictionary<string, double> parameters, IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        if (method is not (null or "step-height"))
        {
            throw new CalibrationRefusedException($"Z calibration method '{method}' is not available on this station; use step-height with a certified step-height standard.");
        }
        var warnings = new List<string>();
        if (!parameters.TryGetValue("stepHeightMicrometres", out var step))
        {
            step = DefaultStepHeightMicrometres;
            warnings.Add(Invariant($"No certified step height given: assumed {step} µm. Pass the standard's certified value (acq calibrate z --step-height)."));
        }
        var stage = _devices.Stage;
        var start = (await stage.QueryStatusAsync(ct).ConfigureAwait(false)).Position;
        var range = parameters.GetValueOrDefault("rangeMicrometres", (step * 1.3) + 60);
        var coarseStep = Math.Max(4, range / 30);
        var (zMin, zMax) = stage.TravelOf(Axis.Z);
        var low = Math.Max(zMin.Value + 50, start.Z.Value - (range / 2));
        var high = Math.Min(zMax.Value - 1, start.Z.Value + (range / 2));

        // Regions either side of the step edge, clear of its blur.
        var frame = await _devices.Camera.CaptureAsync(_devices.DeviceClock.GetUtcNow(), ct).ConfigureAwait(false);
        var left = new Rect(frame.Width / 12, frame.Height / 4, frame.Width / 4, frame.Height / 2);
        var right = new Rect(frame.Width - (frame.Width / 12) - (frame.Width / 4), frame.Height / 4, frame.Width / 4, frame.Height / 2);

        progress?.Report(new ProcedureProgress(0.05, "coarse focus sweep"));
        var coarse = new List<(double Z, double Left, double Right)>();
        await stage.MoveZFromBelowAsync(new Micrometres(low), ct).ConfigureAwait(false);
        for (var z = low; z <= high; z += coarseStep)
        {
            var (l, r) = await FocusAtAsync(z, left, right, 1, ct).ConfigureAwait(false);
            coarse.Add((z, l, r));
        }
        var leftPeak = coarse.MaxBy(c => c.Left).Z;
        var rightPeak = coarse.MaxBy(c => c.Right).Z;
        if (Math.Abs(leftPeak - rightPeak) < 2 * coarseStep)
        {
            throw new CalibrationRefusedException(Invariant($"No step found: both sides of the image are sharpest at about the same Z ({leftPeak:0.#} µm). Centre the step-height standard's edge in the field of view and focus near its lower level, then retry."));
        }

        progress?.Report(new ProcedureProgress(0.4, "fine sweep, left"));
        // The lower level's curve also gives the backlash (matched against the downward sweep below).
        var (zLeft, sigmaLeft, upLeft) = await FinePeakAsync(leftPeak, left, ct, frames: FramesPerPoint).ConfigureAwait(false);
        progress?.Report(new ProcedureProgress(0.6, "fine sweep, right"));
        var (zRight, _, upRight) = await FinePeakAsync(rightPeak, right, ct).ConfigureAwait(false);
        var commanded = Math.Abs(zRight - zLeft);
        var scale = step / commanded;
        if (Math.Abs(scale - 1) > ScaleLimit)
        {
            throw new CalibrationRefusedException(Invariant($"The step measures {commanded:0.##} commanded µm for a certified {step} µm (scale {scale:0.####}, beyond ±{ScaleLimit * 100} %): check the certified height and that the standard's edge is centred, then retry."));
        }

        // Backlash: the same sweep downwards, every point approached from above; the carriage then stays behind by the
        // play. Each frame's sub-pixel jitter scatters the focus measure by a few percent, which scatters one pair's
        // shift by about ±0.4 µm (more than a motor step): several up/down pairs, and their median.
        var repeats = (int)parameters.GetValueOrDefault("backlashRepeats", DefaultBacklashRepeats);
        if (repeats is < 1 or > 15)
        {
            throw new CalibrationRefusedException(Invariant($"backlashRepeats {repeats} is outside 1–15: pass an odd number such as {DefaultBacklashRepeats}."));
        }
        var shifts = new List<double>();
        List<(double Z, double F)> downLeft = [];
        for (var k = 0; k < repeats; k++)
        {
            progress?.Report(new ProcedureProgress(0.7 + (0.25 * k / repeats), Invariant($"backlash {k + 1}/{repeats}")));
            var up = upLeft;
            if (k > 0)
            {
                (_, _, up) = await FinePeakAsync(leftPeak, left, ct, frames: FramesPerPoint).ConfigureAwait(false);
            }
            (_, _, downLeft) = await FinePeakAsync(leftPeak, left, ct, fromAbove: true, frames: FramesPerPoint).ConfigureAwait(false);
            shifts.Add(Math.Abs(CurveShift(up, downLeft)));
        }
        var backlash = Median(shifts);

        await stage.MoveZFromBelowAsync(start.Z, ct).ConfigureAwait(false);
        var values = new Dictionary<string, object?>
        {
            ["micrometresPerCommandedMicrometre"] = Math.Round(scale, 6),
            ["backlashMicrometres"] = Math.Round(backlash, 3),
            ["stepHeightMicrometres"] = step,
            ["method"] = "step-height",
        };
        var residuals = new Dictionary<string, object?>
        {
            ["lowerLevelZMicrometres"] = Math.Round(Math.Min(zLeft, zRight), 3),
            ["upperLevelZMicrometres"] = Math.Round(Math.Max(zLeft, zRight), 3),
            ["focusWidthMicrometres"] = Math.Round(sigmaLeft, 3),
            ["backlashShiftsMicrometres"] = shifts.Select(b => Math.Round(b, 3)).ToList(),
            ["focusCurves"] = new
            {
                lowerUp = upLeft.Select(p => new[] { Math.Round(p.Z, 3), Math.Round(p.F, 3) }).ToList(),
                upperUp = upRight.Select(p => new[] { Math.Round(p.Z, 3), Math.Round(p.F, 3) }).ToList(),
                lowerDown = downLeft.Select(p => new[] { Math.Round(p.Z, 3), Math.Round(p.F, 3) }).ToList(),
                coarse = coarse.Select(c => new[] { Math.Round(c.Z, 3), Math.Round(c.Left, 3), Math.Round(c.Right, 3) }).ToList(),
            },
        };
        var summary = new List<MeasuredValue>
        {
            new("z scale", Math.Round(scale, 5), "µm/µm", 1 - ScaleLimit, 1 + ScaleLimit, true),
            new("backlash", Math.Round(backlash, 3), "µm"),
            new("step (commanded)", Math.Round(commanded, 3), "µm"),
        };
        return new ProcedureOutcome(values, residuals, summary, warnings, []);
    }

    private StagePosition Position(double z)
    {
        var p = _devices.Stage.Status.Position;
        return p.With(Axis.Z, new Micrometres(z));
    }

    /// <summary>Moves to <paramref name="z"/> (plain move: the caller chooses the approach) and measures both sides.</summary>
    private async Task<(double Left, double Right)> FocusAtAsync(double z, Rect left, Rect right, int frames, CancellationToken ct)
    {
        await _devices.Stage.MoveToAsync(Position(z), ct).ConfigureAwait(false);
        using var image = await FrameMath.AverageAsync(_devices, frames, ct).ConfigureAwait(false);
        return (FrameMath.Focus(image.Image, left), FrameMath.Focus(image.Image, right));
    }

    /// <summary>A fine upward sweep around <paramref name="around"/>; the peak and width of a Gaussian fitted to its top.</summary>
    private async Task<(double Peak, double Sigma, List<(double Z, double F)> Samples)> FinePeakAsync(double around, Rect region, CancellationToken ct, bool fromAbove = false, int frames = FramesPerPoint)
    {
        var samples = new List<(double Z, double F)>();
        if (fromAbove)
        {
            await _devices.Stage.MoveToAsync(Position(around + FineHalfRangeMicrometres + 20), ct).ConfigureAwait(false);
        }
        else
        {
            await _devices.Stage.MoveZFromBelowAsync(new Micrometres(around - FineHalfRangeMicrometres - 1), ct).ConfigureAwait(false);
        }
        for (var i = 0; i <= 2 * FineHalfRangeMicrometres / FineStepMicrometres; i++)
        {
            var dz = fromAbove ? FineHalfRangeMicrometres - (i * FineStepMicrometres) : (i * FineStepMicrometres) - FineHalfRangeMicrometres;
            await _devices.Stage.MoveToAsync(Position(around + dz), ct).ConfigureAwait(false);
            using var image = await FrameMath.AverageAsync(_devices, frames, ct).ConfigureAwait(false);
            samples.Add((around + dz, FrameMath.Focus(image.Image, region)));
        }
        // The noise floor (a defocused image's Laplacian variance) comes off first, so the log fits a Gaussian.
        var floor = samples.Min(s => s.F) * 0.98;
        var max = samples.Max(s => s.F);
        var top = samples.Where(s => s.F - floor > 0.3 * (max - floor)).Select(s => (s.Z, Math.Log(s.F - floor))).ToList();
        if (top.Count < 3)
        {
            throw new CalibrationRefusedException(Invariant($"The focus peak near Z {around:0.#} µm is too sharp or too flat to fit: the target may lack texture. Clean it and retry."));
        }
        var (a, b, _, x0) = Quadratic(top);
        if (a >= 0)
        {
            throw new CalibrationRefusedException(Invariant($"No focus peak near Z {around:0.#} µm: the focus curve does not turn over. Check the standard is in range and retry."));
        }
        var peak = x0 - (b / (2 * a));
        var sigma = Math.Sqrt(-1 / (2 * a));
        return (peak, sigma, samples);
    }

    /// <summary>
    /// How far <paramref name="down"/> is shifted along Z against <paramref name="up"/> (same commanded grid): the s
    /// that best matches down(z) = up(z + s), searched in 0.01 µm steps with linear interpolation of the up curve.
    /// </summary>
    private static double CurveShift(List<(double Z, double F)> up, List<(double Z, double F)> down)
    {
        var u = up.OrderBy(p => p.Z).ToList();
        double Interpolate(double z)
        {
            for (var i = 1; i < u.Count; i++)
            {
                if (z <= u[i].Z)
                {
                    var t = (z - u[i - 1].Z) / (u[i].Z - u[i - 1].Z);
                    return u[i - 1].F + (t * (u[i].F - u[i - 1].F));
                }
            }
            return u[^1].F;
        }
        var best = 0.0;
        var bestError = double.MaxValue;
        var reach = (u[^1].Z - u[0].Z) / 2;
        for (var s = -reach; s <= reach; s += 0.01)
        {
            double error = 0;
            var n = 0;
            foreach (var (z, f) in down)
            {
                if (z + s < u[0].Z || z + s > u[^1].Z)
                {
                    continue;
                }
                var d = f - Interpolate(z + s);
                error += d * d;
                n++;
            }
            // Enough overlap to judge, and the mean so that shorter overlaps are not favoured.
            if (n >= down.Count / 2 && error / n < bestError)
            {
                bestError = error / n;
                best = s;
            }
        }
        return best;
    }

    /// <summary>Least-squares y = a·(x−x0)² + b·(x−x0) + c, centred on the points' mean x0 for conditioning.</summary>
    private static (double A, double B, double C, double X0) Quadratic(IReadOnlyList<(double X, double Y)> points)
    {
        var x0 = points.Average(p => p.X);
        using var design = new Mat(points.Count, 3, MatType.CV_64FC1);
        using var rhs = new Mat(points.Count, 1, MatType.CV_64FC1);
        for (var i = 0; i < points.Count; i++)
        {
            var x = points[i].X - x0;
            design.Set(i, 0, x * x);
            design.Set(i, 1, x);
            design.Set(i, 2, 1.0);
            rhs.Set(i, 0, points[i].Y);
        }
        using var solution = new Mat();
        Cv2.Solve(design, rhs, solution, DecompTypes.SVD);
        return (solution.At<double>(0, 0), solution.At<double>(1, 0), solution.At<double>(2, 0), x0);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
