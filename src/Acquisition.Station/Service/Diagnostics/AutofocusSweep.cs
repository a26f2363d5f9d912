using System.Globalization;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Processing;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>
/// The service engineer's autofocus: a Z sweep around the current position with the workflow's focus measure.
/// Every sample is approached from below (the stage's Z backlash rule) and imaged with a frame exposed after the
/// move settled. The window is also scored in tiles, and the stage is left at the surface covering most tiles
/// (<see cref="FocusSurfaceFinder"/>): over a primer and the head face around it the window's own score peaks between
/// the two, where neither is sharp. Without distinct tile peaks the window's peak is refined with a parabola through
/// its neighbours. Without a peak the stage returns to where it started.
/// </summary>
public sealed class AutofocusSweep(IStage stage, ICamera camera, IFocusMeasure focus, TimeProvider deviceClock)
{
    /// <summary>Full width of the sweep when the request gives none: wide enough for a casing placed by hand.</summary>
    public static readonly Micrometres DefaultRange = new(400);

    /// <summary>Step when the request gives none: below the depth over which the focus measure changes noticeably.</summary>
    public static readonly Micrometres DefaultStep = new(20);

    /// <summary>More samples than this is a mistake (a step far too small), not a sweep.</summary>
    public const int MaxSamples = 401;

    /// <summary>A curve whose maximum is less than this much above its minimum has no peak (no casing, no light).</summary>
    public const double MinPeakToFloorRatio = 1.05;

    /// <summary>Tiles are at least this wide and high in pixels, enough texture for a steady score.</summary>
    public const int TileSidePixels = 64;

    /// <summary>More tiles than this to a side only cost time: 64 tiles place a surface covering a tenth of the view on 6 of them.</summary>
    public const int MaxTilesPerSide = 8;

    /// <summary>The share of the view scored when the request names no window.</summary>
    public const double DefaultWindowOfView = 0.9;

    /// <summary>
    /// The part of every frame the sweep scores: the central 90 % of the view, or a centred square of the requested
    /// side on the casing, turned into pixels with the pixel-size calibration. Refused (422, or 409 without a
    /// pixel-size calibration) before anything moves.
    /// </summary>
    public static FocusWindow WindowFor(AutofocusRequest? request, CameraSettings camera, PixelCalibration? pixel)
    {
        ArgumentNullException.ThrowIfNull(camera);
        if (request?.WindowMicrometres is not { } side)
        {
            return FocusWindow.Centred(camera.Width, camera.Height,
                Math.Max(LaplacianVarianceFocusMeasure.MinimumWindowPixels, (int)(camera.Width * DefaultWindowOfView)),
                Math.Max(LaplacianVarianceFocusMeasure.MinimumWindowPixels, (int)(camera.Height * DefaultWindowOfView)));
        }
        if (!(side > 0) || double.IsInfinity(side))
        {
            throw new DiagnosticRefusedException(StatusCodes.Status422UnprocessableEntity, "Bad autofocus request",
                "windowMicrometres must be a positive number of micrometres (the side of the centred square scored), or absent to score the view.");
        }
        if (pixel is null)
        {
            throw new DiagnosticRefusedException(StatusCodes.Status409Conflict, "No pixel-size calibration",
                "A window in micrometres needs the pixel size, and this station has no pixel-size calibration. Run it (acq calibrate pixel-size), or sweep without a window to score the view.");
        }
        var window = FocusWindow.Centred(camera.Width, camera.Height,
            (int)Math.Round(side / pixel.PixelSizeX.Value), (int)Math.Round(side / pixel.PixelSizeY.Value));
        if (window.Width < LaplacianVarianceFocusMeasure.MinimumWindowPixels || window.Height < LaplacianVarianceFocusMeasure.MinimumWindowPixels)
        {
            var smallest = LaplacianVarianceFocusMeasure.MinimumWindowPixels * Math.Max(pixel.PixelSizeX.Value, pixel.PixelSizeY.Value);
            throw new DiagnosticRefusedException(StatusCodes.Status422UnprocessableEntity, "Bad autofocus request", string.Create(CultureInfo.InvariantCulture,
                $"windowMicrometres {side:0.###} µm is {window.Width}×{window.Height} px of this camera ({pixel.PixelSizeX.Value:0.###}×{pixel.PixelSizeY.Value:0.###} µm a pixel); the focus measure needs at least {LaplacianVarianceFocusMeasure.MinimumWindowPixels}×{LaplacianVarianceFocusMeasure.MinimumWindowPixels} px. Use at least {smallest:0.#} µm."));
        }
        return window;
    }

    public static (Micrometres Range, Micrometres Step) Validate(AutofocusRequest? request)
    {
        var range = request?.RangeMicrometres is { } r ? new Micrometres(r) : DefaultRange;
        var step = request?.StepMicrometres is { } s ? new Micrometres(s) : DefaultStep;
        var errors = new List<string>();
        if (!(range.Value > 0) || double.IsInfinity(range.Value))
        {
            errors.Add("rangeMicrometres must be a positive number of micrometres (the full width of the sweep).");
        }
        if (!(step.Value > 0) || double.IsInfinity(step.Value))
        {
            errors.Add("stepMicrometres must be a positive number of micrometres.");
        }
        else if (range.Value > 0 && range.Value / step.Value + 1 > MaxSamples)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{range.Value:0.###} µm in steps of {step.Value:0.###} µm is more than {MaxSamples} frames: use a larger step."));
        }
        else if (range.Value > 0 && step.Value * 2 > range.Value)
        {
            errors.Add("stepMicrometres must be at most half of rangeMicrometres, so that a peak has a neighbour on each side.");
        }
        if (errors.Count > 0)
        {
            throw new DiagnosticRefusedException(StatusCodes.Status422UnprocessableEntity, "Bad autofocus request", string.Join(" ", errors));
        }
        return (range, step);
    }

    public async Task<AutofocusResult> RunAsync(Micrometres range, Micrometres step, FocusWindow window, OperationProgressSink progress, CancellationToken cancellationToken)
    {
        var start = (await stage.QueryStatusAsync(cancellationToken).ConfigureAwait(false)).Position;
        var (min, max) = stage.TravelOf(Axis.Z);
        var lowest = start.Z - (range / 2);
        var count = (int)Math.Floor((range.Value / step.Value) + 1e-9) + 1;
        var highest = lowest + (step * (count - 1));
        if (lowest < min || highest > max)
        {
            throw new DiagnosticRefusedException(StatusCodes.Status422UnprocessableEntity, "Outside travel", string.Create(CultureInfo.InvariantCulture,
                $"The sweep Z {lowest.Value:0.#}–{highest.Value:0.#} µm leaves the Z travel {min.Value:0.#}–{max.Value:0.#} µm. Move Z towards the middle of its travel or use a smaller range."));
        }

        var columns = Math.Clamp(window.Width / TileSidePixels, 1, MaxTilesPerSide);
        var rows = Math.Clamp(window.Height / TileSidePixels, 1, MaxTilesPerSide);
        var curve = new List<FocusSample>(count);
        var tileScores = new List<double[]>(count);
        for (var i = 0; i < count; i++)
        {
            var z = lowest + (step * i);
            await stage.MoveZFromBelowAsync(z, cancellationToken).ConfigureAwait(false);
            var frame = await camera.CaptureAsync(deviceClock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var (score, tiles) = focus.ScoreWithTiles(frame, window, columns, rows);
            tileScores.Add(tiles);
            curve.Add(new FocusSample(z.Value, score));
            await progress(0.95 * (i + 1) / count, string.Create(CultureInfo.InvariantCulture, $"Z {z.Value:0.#} µm: focus {score:G4}")).ConfigureAwait(false);
        }

        var best = 0;
        for (var i = 1; i < curve.Count; i++)
        {
            if (curve[i].Focus > curve[best].Focus)
            {
                best = i;
            }
        }
        var floor = curve.Min(c => c.Focus);
        var scored = new ScoredWindow(window.X, window.Y, window.Width, window.Height);
        string? why = null;
        if (best == 0 || best == curve.Count - 1)
        {
            why = string.Create(CultureInfo.InvariantCulture,
                $"No focus peak within the sweep: the sharpest frame is at its {(best == 0 ? "lower" : "upper")} end (Z {curve[best].ZMicrometres:0.#} µm). Move Z {(best == 0 ? "down" : "up")} by about half the range, or widen the range.");
        }
        else if (curve[best].Focus < floor * MinPeakToFloorRatio)
        {
            why = string.Create(CultureInfo.InvariantCulture,
                $"The focus curve is flat (peak {curve[best].Focus:G4}, floor {floor:G4}): is there a casing under the lens, and is it lit?");
        }
        if (why is not null)
        {
            await progress(1, "no peak: returning to the start").ConfigureAwait(false);
            await stage.MoveZFromBelowAsync(start.Z, cancellationToken).ConfigureAwait(false);
            return new AutofocusResult(false, null, curve, why, scored);
        }

        var surfaces = FocusSurfaceFinder.Find(curve.Select(c => c.ZMicrometres).ToList(), tileScores);
        double bestZ;
        string? note = null;
        if (surfaces.Count > 0)
        {
            bestZ = surfaces[0].ZMicrometres;
            if (surfaces.Count > 1)
            {
                note = string.Create(CultureInfo.InvariantCulture,
                    $"The window holds {surfaces.Count} surfaces in focus at different heights: {string.Join(", ", surfaces.Select(f => string.Create(CultureInfo.InvariantCulture, $"Z {f.ZMicrometres:0.#} µm ({f.ShareOfWindow:0%} of it)")))}. Left at the one covering most; to focus on another, move Z to its height (acq move --z).");
            }
        }
        else
        {
            // No tile cluster: a parabola through the window's peak and its neighbours puts the peak between samples.
            var (a, b, c) = (curve[best - 1].Focus, curve[best].Focus, curve[best + 1].Focus);
            bestZ = curve[best].ZMicrometres;
            var denominator = a - (2 * b) + c;
            if (denominator < 0)
            {
                bestZ += 0.5 * (a - c) / denominator * step.Value;
            }
        }
        bestZ = Math.Round(bestZ, 1);
        await progress(1, string.Create(CultureInfo.InvariantCulture, $"moving to the best focus, Z {bestZ:0.#} µm")).ConfigureAwait(false);
        await stage.MoveZFromBelowAsync(new Micrometres(bestZ), cancellationToken).ConfigureAwait(false);
        return new AutofocusResult(true, bestZ, curve, note, scored, surfaces);
    }
}
