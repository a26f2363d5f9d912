using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Workflow.Processing;

/// <summary>
/// Finds the primer cup with OpenCV's gradient Hough transform on a downscaled, blurred overview. The cup edge is the
/// strongest circular edge of the expected size on a casing head; among candidates the one nearest the image centre
/// wins, because the casing holder puts the primer near the optical axis.
/// </summary>
public sealed class HoughPrimerDetector : IPrimerDetector
{
    public PrimerDetection? Detect(Frame overview, int downscale, double minRadiusPixels, double maxRadiusPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(downscale, 1);
        using var grey = FrameMat.ToMat8(overview);
        using var small = new Mat();
        Cv2.Resize(grey, small, new Size(overview.Width / downscale, overview.Height / downscale), 0, 0, InterpolationFlags.Area);
        using var blurred = new Mat();
        Cv2.GaussianBlur(small, blurred, new Size(5, 5), 1.5);
        var minR = Math.Max(3, (int)Math.Floor(minRadiusPixels / downscale));
        var maxR = Math.Max(minR + 1, (int)Math.Ceiling(maxRadiusPixels / downscale));
        var circles = Cv2.HoughCircles(blurred, HoughModes.GradientAlt, dp: 1.5, minDist: minR,
            param1: 150, param2: 0.6, minRadius: minR, maxRadius: maxR);
        if (circles.Length == 0)
        {
            circles = Cv2.HoughCircles(blurred, HoughModes.Gradient, dp: 1, minDist: minR,
                param1: 100, param2: 30, minRadius: minR, maxRadius: maxR);
        }
        if (circles.Length == 0)
        {
            return null;
        }
        var cx = small.Width / 2.0;
        var cy = small.Height / 2.0;
        var best = circles.OrderBy(c => Math.Pow(c.Center.X - cx, 2) + Math.Pow(c.Center.Y - cy, 2)).First();
        // Hough centres are at the downscaled pixel grid: map pixel centres back to full resolution.
        return new PrimerDetection(
            ((best.Center.X + 0.5) * downscale) - 0.5,
            ((best.Center.Y + 0.5) * downscale) - 0.5,
            best.Radius * downscale);
    }
}
