using System.Globalization;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// Pixel size in X and Y and the camera–stage rotation: moves the stage known distances over a target and tracks the
/// image shift by phase correlation, then fits the 2×2 map from stage moves to image shifts by least squares.
/// A small first move predicts the large ones, so a periodic target (dot grid, micrometer lines) cannot alias:
/// each large shift is measured as a small residual around its prediction. The result is in the convention of
/// <see cref="PixelCalibration"/>; a mirrored image (negative determinant) is refused, because no pixel size and
/// rotation describe it and captures would place regions in the wrong spot.
/// </summary>
public sealed class PixelSizeProcedure
{
    public const double DefaultTravelMicrometres = 200;
    public const int DefaultFramesAveraged = 8;

    /// <summary>
    /// The Z span over which the magnification change is measured (half below, half above the start): wide enough for
    /// a measurable scale change, narrow enough that the flat target stays recognisable (equally defocused at both ends,
    /// so the blur does not bias the comparison).
    /// </summary>
    public const double DefaultMagnificationSpanMicrometres = 60;

    /// <summary>Above this fit RMS the shifts disagree with any linear map (target slipped, stage lost steps).</summary>
    public const double ResidualLimitPixels = 1.0;

    private readonly CalibrationDevices _devices;

    public PixelSizeProcedure(CalibrationDevices devices) => _devices = devices;

    public async Task<ProcedureOutcome> RunAsync(IReadOnlyDictionary<string, double> parameters, IProgress<ProcedureProgress>? progress, CancellationToken ct)
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
            return await RunLitAsync(parameters, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            if (before.IsOff)
            {
                await lights.SetAsync(before, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<ProcedureOutcome> RunLitAsync(IReadOnlyDictionary<string, double> parameters, IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        var travel = parameters.GetValueOrDefault("travelMicrometres", DefaultTravelMicrometres);
        var frames = (int)parameters.GetValueOrDefault("framesAveraged", DefaultFramesAveraged);
        var pitch = parameters.TryGetValue("pitchMicrometres", out var p) ? p : (double?)null;
        var stage = _devices.Stage;
        var start = (await stage.QueryStatusAsync(ct).ConfigureAwait(false)).Position;

        progress?.Report(new ProcedureProgress(0.05, "reference image"));
        using var reference = await ImageAtAsync(start, frames, ct).ConfigureAwait(false);
        if (reference.SaturatedFraction > 0.02)
        {
            throw new CalibrationRefusedException(Invariant($"The target is saturated ({reference.SaturatedFraction * 100:0.#} % of pixels at full scale): lower the light level or the exposure and retry."));
        }
        var contrast = Contrast(reference.Image);
        if (contrast < 0.01)
        {
            throw new CalibrationRefusedException(Invariant($"No target found: the image has {contrast * 100:0.##} % contrast. Put the dot grid or stage micrometer under the objective, in focus and lit."));
        }

        // A first small move on each axis (a quarter of a 100 µm pitch): coarse enough to predict the large shifts.
        var small = Math.Min(20, travel / 4);
        var moves = new List<(double X, double Y)>();
        var shifts = new List<Point2d>();
        double[,]? coarse = null;
        var plan = new (double X, double Y)[] { (small, 0), (0, small), (travel, 0), (-travel, 0), (0, travel), (0, -travel) };
        for (var i = 0; i < plan.Length; i++)
        {
            if (i == 2)
            {
                coarse = FitThroughOrigin(moves, shifts);
                if (Determinant(coarse) == 0)
                {
                    throw new CalibrationRefusedException("The image did not move when the stage did: check that the stage moves and the target is fixed to it.");
                }
            }
            var (mx, my) = plan[i];
            progress?.Report(new ProcedureProgress(0.1 + (0.8 * i / plan.Length), Invariant($"stage move {mx:0.#}, {my:0.#} µm")));
            var target = start.Offset(new Micrometres(mx), new Micrometres(my), Micrometres.Zero);
            using var moved = await ImageAtAsync(target, frames, ct).ConfigureAwait(false);
            var predicted = coarse is null ? new Point2d(0, 0) : Apply(coarse, mx, my);
            shifts.Add(MeasureShift(reference.Image, moved.Image, predicted));
            moves.Add((mx, my));
        }
        progress?.Report(new ProcedureProgress(0.9, "magnification against z"));
        await stage.MoveToAsync(start, ct).ConfigureAwait(false);
        var span = parameters.GetValueOrDefault("magnificationSpanMicrometres", DefaultMagnificationSpanMicrometres);
        var magnification = span > 0 ? await MagnificationAsync(start, span, frames, ct).ConfigureAwait(false) : null;
        var magnificationWarning = magnification is null ? null : MagnificationProblem(magnification);
        progress?.Report(new ProcedureProgress(0.95, "fit"));
        await stage.MoveToAsync(start, ct).ConfigureAwait(false);

        var a = FitThroughOrigin(moves, shifts);
        // Stage displacement per image offset: bringing content seen at offset d onto the centre takes −A⁻¹·d.
        var det = Determinant(a);
        var m = new double[2, 2] { { -a[1, 1] / det, a[0, 1] / det }, { a[1, 0] / det, -a[0, 0] / det } };
        if (Determinant(m) < 0)
        {
            throw new CalibrationRefusedException("The image is mirrored (flipped): a stage move along X and one along Y turn the wrong way round in the image. " +
                "Check the camera's reverse-X/Y setting and how the camera is mounted, then retry; no calibration was recorded.");
        }
        var pixelX = Math.Sqrt((m[0, 0] * m[0, 0]) + (m[1, 0] * m[1, 0]));
        var pixelY = Math.Sqrt((m[0, 1] * m[0, 1]) + (m[1, 1] * m[1, 1]));
        var rotation = Math.Atan2(m[1, 0], m[0, 0]) * 180 / Math.PI;
        var rotationOfY = Math.Atan2(-m[0, 1], m[1, 1]) * 180 / Math.PI;
        var skew = rotationOfY - rotation;

        var residuals = moves.Select((mv, i) => { var q = Apply(a, mv.X, mv.Y); return Math.Sqrt(Math.Pow(q.X - shifts[i].X, 2) + Math.Pow(q.Y - shifts[i].Y, 2)); }).ToList();
        var rms = Math.Sqrt(residuals.Average(r => r * r));
        var warnings = new List<string>();
        if (Math.Abs(skew) > 0.2)
        {
            warnings.Add(Invariant($"The stage's X and Y axes are not square in the image ({skew:0.###}° skew): check the stage's squareness."));
        }
        if (rms > ResidualLimitPixels)
        {
            throw new CalibrationRefusedException(Invariant($"The image shifts do not fit a linear map (residual RMS {rms:0.###} px, limit {ResidualLimitPixels} px): the target may have slipped or the stage lost steps. Fix the target and retry."));
        }
        if (magnificationWarning is not null)
        {
            warnings.Add(magnificationWarning);
        }
        if (pitch is { } certified)
        {
            warnings.Add(Invariant($"The scale is traceable to the stage travel; the target pitch {certified} µm is recorded, not used in the fit."));
        }

        var values = new Dictionary<string, object?>
        {
            ["pixelSizeXMicrometres"] = Math.Round(pixelX, 6),
            ["pixelSizeYMicrometres"] = Math.Round(pixelY, 6),
            ["rotationDegrees"] = Math.Round(rotation, 5),
            ["skewDegrees"] = Math.Round(skew, 5),
            ["atZMicrometres"] = start.Z.Value,
            ["travelMicrometres"] = travel,
            ["pitchMicrometres"] = pitch,
            ["magnificationChangePerMicrometre"] = magnificationWarning is null ? magnification?.PerMicrometre : null,
            ["magnificationSpanMicrometres"] = magnification is null ? null : span,
        };
        var residualValues = new Dictionary<string, object?>
        {
            ["rmsPixels"] = Math.Round(rms, 4),
            ["maxPixels"] = Math.Round(residuals.Max(), 4),
            ["magnificationMeasuredPerMicrometre"] = magnification?.PerMicrometre,
            ["magnificationHalfSpanPerMicrometre"] = magnification is null ? null : new[] { magnification.LowerHalf, magnification.UpperHalf },
            ["moves"] = moves.Select((mv, i) => new { xMicrometres = mv.X, yMicrometres = mv.Y, shiftXPixels = Math.Round(shifts[i].X, 4), shiftYPixels = Math.Round(shifts[i].Y, 4) }).ToList(),
        };
        var summary = new List<MeasuredValue>
        {
            new("pixel size X", Math.Round(pixelX, 5), "µm/px"),
            new("pixel size Y", Math.Round(pixelY, 5), "µm/px"),
            new("rotation", Math.Round(rotation, 4), "°"),
            new("residual RMS", Math.Round(rms, 4), "px", null, ResidualLimitPixels, rms <= ResidualLimitPixels),
        };
        if (magnification is not null && magnificationWarning is null)
        {
            summary.Add(new MeasuredValue("magnification change", Math.Round(magnification.PerMicrometre * 1e6, 3), "ppm/µm"));
        }
        return new ProcedureOutcome(values, residualValues, summary, warnings, []);
    }

    /// <summary>
    /// The magnification change per µm of stage Z (non-telecentric optics), from images of the flat target at the
    /// start Z ± half the span, each approached from below; the two half spans measured separately are its residual.
    /// </summary>
    private async Task<MagnificationMeasurement> MagnificationAsync(StagePosition start, double span, int frames, CancellationToken ct)
    {
        var zs = new[] { start.Z.Value - (span / 2), start.Z.Value, start.Z.Value + (span / 2) };
        var images = new List<AveragedImage>();
        try
        {
            foreach (var z in zs)
            {
                await _devices.Stage.MoveZFromBelowAsync(new Micrometres(z), ct).ConfigureAwait(false);
                images.Add(await FrameMath.AverageAsync(_devices, frames, ct).ConfigureAwait(false));
            }
            // Each span is refined: the upper image is scaled back by the estimate and what scale is left is measured
            // again. Tile shifts then stay near zero, where phase correlation has no pull towards whole pixels and a
            // periodic target (a dot grid) cannot alias; the full span starts from the halves' mean for the same reason.
            double Refine(int a, int b, double k)
            {
                var dz = zs[b] - zs[a];
                for (var iteration = 0; iteration < 3; iteration++)
                {
                    var scale = 1 + (k * dz);
                    using var undone = ScaledAboutCentre(images[b].Image, 1 / scale);
                    var left = MagnificationModel.Calibrate(images[a].Image, zs[a], undone, zs[b]).RelativeChangePerMicrometre;
                    k = ((scale * (1 + (left * dz))) - 1) / dz;
                }
                return k;
            }
            double Coarse(int a, int b) => MagnificationModel.Calibrate(images[a].Image, zs[a], images[b].Image, zs[b]).RelativeChangePerMicrometre;
            var lower = Refine(0, 1, Coarse(0, 1));
            var upper = Refine(1, 2, Coarse(1, 2));
            var k = Refine(0, 2, (lower + upper) / 2);
            return new MagnificationMeasurement(Math.Round(k, 9), Math.Round(lower, 9), Math.Round(upper, 9));
        }
        finally
        {
            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }

    /// <summary>
    /// Why a magnification measurement is not recorded (the pixel size still is), or null: implausible optics, or the
    /// two half spans disagree, which a target that is not flat (a casing) or has too little texture gives.
    /// </summary>
    private static string? MagnificationProblem(MagnificationMeasurement m)
    {
        if (!double.IsFinite(m.PerMicrometre) || Math.Abs(m.PerMicrometre) >= 1e-3)
        {
            return Invariant($"The magnification change with Z measured {m.PerMicrometre:0.###e+0} per µm, beyond any plausible optics (limit 1e-3): not recorded. Repeat on the flat dot grid.");
        }
        var disagreement = Math.Abs(m.LowerHalf - m.UpperHalf);
        if (disagreement > (0.25 * Math.Max(Math.Abs(m.LowerHalf), Math.Abs(m.UpperHalf))) + 1.5e-5)
        {
            return Invariant($"The magnification change with Z is inconsistent ({m.LowerHalf:0.###e+0} per µm below the start, {m.UpperHalf:0.###e+0} above): not recorded, so captures register slices by translation only. Repeat on the flat dot grid.");
        }
        return null;
    }

    private static Mat ScaledAboutCentre(Mat image, double scale)
    {
        using var m = Cv2.GetRotationMatrix2D(new Point2f((image.Cols - 1) / 2f, (image.Rows - 1) / 2f), 0, scale);
        var result = new Mat();
        Cv2.WarpAffine(image, result, m, image.Size(), InterpolationFlags.Linear, BorderTypes.Reflect101);
        return result;
    }

    private sealed record MagnificationMeasurement(double PerMicrometre, double LowerHalf, double UpperHalf);

    private async Task<AveragedImage> ImageAtAsync(StagePosition position, int frames, CancellationToken ct)
    {
        await _devices.Stage.MoveToAsync(position, ct).ConfigureAwait(false);
        return await FrameMath.AverageAsync(_devices, frames, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The shift of <paramref name="moved"/>'s content relative to <paramref name="reference"/>, in pixels: the
    /// prediction's whole pixels by cropping matching windows, the rest by phase correlation.
    /// </summary>
    private static Point2d MeasureShift(Mat reference, Mat moved, Point2d predicted)
    {
        var ox = (int)Math.Round(predicted.X);
        var oy = (int)Math.Round(predicted.Y);
        var margin = 8;
        var w = reference.Cols - Math.Abs(ox) - (2 * margin);
        var h = reference.Rows - Math.Abs(oy) - (2 * margin);
        if (w < 64 || h < 64)
        {
            throw new CalibrationRefusedException(Invariant($"The predicted image shift ({predicted.X:0.#}, {predicted.Y:0.#}) px leaves too little overlap in the field of view: use a smaller travel (travelMicrometres)."));
        }
        // Content at reference pixel x appears at x + shift in the moved image.
        var refRect = new Rect(margin + Math.Max(0, -ox), margin + Math.Max(0, -oy), w, h);
        var movedRect = new Rect(refRect.X + ox, refRect.Y + oy, w, h);
        using var a = new Mat(reference, refRect).Clone();
        using var b = new Mat(moved, movedRect).Clone();
        using var window = new Mat();
        Cv2.CreateHanningWindow(window, new Size(w, h), MatType.CV_32F);
        var r = Cv2.PhaseCorrelate(a, b, window, out var response);
        if (response < 0.02 || Math.Abs(r.X) > w / 4.0 || Math.Abs(r.Y) > h / 4.0)
        {
            throw new CalibrationRefusedException(Invariant($"The image shift could not be measured (correlation {response:0.###}): the target has too little structure or moved out of the field of view. Centre the target and retry."));
        }
        return new Point2d(ox + r.X, oy + r.Y);
    }

    private static double Contrast(Mat image)
    {
        Cv2.MeanStdDev(image, out var mean, out var std);
        return mean.Val0 <= 0 ? 0 : std.Val0 / mean.Val0;
    }

    /// <summary>Least-squares A (2×2) with shift = A·move.</summary>
    private static double[,] FitThroughOrigin(IReadOnlyList<(double X, double Y)> moves, IReadOnlyList<Point2d> shifts)
    {
        double sxx = 0, sxy = 0, syy = 0, ux = 0, uy = 0, vx = 0, vy = 0;
        for (var i = 0; i < moves.Count; i++)
        {
            var (x, y) = moves[i];
            sxx += x * x;
            sxy += x * y;
            syy += y * y;
            ux += shifts[i].X * x;
            uy += shifts[i].X * y;
            vx += shifts[i].Y * x;
            vy += shifts[i].Y * y;
        }
        var d = (sxx * syy) - (sxy * sxy);
        return new double[2, 2]
        {
            { ((ux * syy) - (uy * sxy)) / d, ((uy * sxx) - (ux * sxy)) / d },
            { ((vx * syy) - (vy * sxy)) / d, ((vy * sxx) - (vx * sxy)) / d },
        };
    }

    private static Point2d Apply(double[,] a, double x, double y) => new((a[0, 0] * x) + (a[0, 1] * y), (a[1, 0] * x) + (a[1, 1] * y));

    private static double Determinant(double[,] a) => (a[0, 0] * a[1, 1]) - (a[0, 1] * a[1, 0]);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
