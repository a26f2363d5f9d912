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

    public double Score(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var w = Math.Max(8, (int)(frame.Width * _centralFraction));
        var h = Math.Max(8, (int)(frame.Height * _centralFraction));
        return Score(frame, new FocusWindow((frame.Width - w) / 2, (frame.Height - h) / 2, w, h));
    }

    public double Score(Frame frame, FocusWindow window)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var x = Math.Clamp(window.X, 0, frame.Width - 1);
        var y = Math.Clamp(window.Y, 0, frame.Height - 1);
        var w = Math.Clamp(window.Width, 8, frame.Width - x);
        var h = Math.Clamp(window.Height, 8, frame.Height - y);
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
