using System.Globalization;
using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Workflow.Processing;

/// <summary>
/// Variance of the Laplacian over the central part of the frame, at half resolution: cheap, monotonic near focus and
/// robust to the texture of a breech face. The centre is used because the autofocus frame is centred on the primer.
/// </summary>
public sealed class LaplacianVarianceFocusMeasure : IFocusMeasure
{
    private readonly double _centralFraction;

    public LaplacianVarianceFocusMeasure(double centralFraction = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(centralFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(centralFraction, 1.0);
        _centralFraction = centralFraction;
    }

    /// <summary>The smallest window side scored, in pixels.</summary>
    public const int MinimumWindowPixels = 8;

    public double Score(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Score(frame, FocusWindow.Centred(frame.Width, frame.Height,
            Math.Max(MinimumWindowPixels, (int)(frame.Width * _centralFraction)), Math.Max(MinimumWindowPixels, (int)(frame.Height * _centralFraction))));
    }

    public double Score(Frame frame, FocusWindow window)
    {
        using var lap = HalfResolutionLaplacian(frame, window);
        Cv2.MeanStdDev(lap, out _, out var std);
        return std.Val0 * std.Val0;
    }

    /// <summary>
    /// The tiles' scores from one Laplacian of the whole window, so a tile's edge sees its true neighbours and the
    /// frame is converted once, not once a tile.
    /// </summary>
    public double[] ScoreTiles(Frame frame, FocusWindow window, int columns, int rows) => ScoreWithTiles(frame, window, columns, rows).Tiles;

    /// <summary>The window's score and its tiles' from the one Laplacian: the sweep converts and filters each frame once.</summary>
    public (double Window, double[] Tiles) ScoreWithTiles(Frame frame, FocusWindow window, int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        using var lap = HalfResolutionLaplacian(frame, window);
        if (lap.Width / columns < MinimumWindowPixels / 2 || lap.Height / rows < MinimumWindowPixels / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, string.Create(CultureInfo.InvariantCulture,
                $"the focus window of {lap.Width * 2}×{lap.Height * 2} px split into {columns}×{rows} tiles leaves tiles below {MinimumWindowPixels}×{MinimumWindowPixels} px: use fewer tiles."));
        }
        var whole = new FocusWindow(0, 0, lap.Width, lap.Height);
        var scores = new double[columns * rows];
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                var tile = whole.Tile(column, row, columns, rows);
                using var part = new Mat(lap, new Rect(tile.X, tile.Y, tile.Width, tile.Height));
                Cv2.MeanStdDev(part, out _, out var std);
                scores[(row * columns) + column] = std.Val0 * std.Val0;
            }
        }
        Cv2.MeanStdDev(lap, out _, out var all);
        return (all.Val0 * all.Val0, scores);
    }

    private static Mat HalfResolutionLaplacian(Frame frame, FocusWindow window)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var cut = window.Within(frame.Width, frame.Height);
        // Half resolution and a 3×3 Laplacian need a few pixels to say anything.
        if (cut.Width < MinimumWindowPixels || cut.Height < MinimumWindowPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, string.Create(CultureInfo.InvariantCulture,
                $"the focus window leaves {cut.Width}×{cut.Height} px of the {frame.Width}×{frame.Height} frame; at least {MinimumWindowPixels}×{MinimumWindowPixels} are needed."));
        }
        var (x, y, w, h) = (cut.X, cut.Y, cut.Width, cut.Height);
        using var full = FrameMat.ToMat(frame);
        using var roi = new Mat(full, new Rect(x, y, w, h));
        using var asFloat = new Mat();
        roi.ConvertTo(asFloat, MatType.CV_32FC1, 1.0 / ((1 << frame.BitDepth) - 1));
        using var small = new Mat();
        Cv2.Resize(asFloat, small, new Size(w / 2, h / 2), 0, 0, InterpolationFlags.Area);
        var lap = new Mat();
        Cv2.Laplacian(small, lap, MatType.CV_32FC1, 3);
        return lap;
    }
}
