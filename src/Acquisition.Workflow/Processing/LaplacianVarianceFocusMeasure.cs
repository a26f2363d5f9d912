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
        using var lap = new Mat();
        Cv2.Laplacian(small, lap, MatType.CV_32FC1, 3);
        Cv2.MeanStdDev(lap, out _, out var std);
        return std.Val0 * std.Val0;
    }
}
