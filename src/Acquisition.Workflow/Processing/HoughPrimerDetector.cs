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
        var coarse = new PrimerDetection(
            ((best.Center.X + 0.5) * downscale) - 0.5,
            ((best.Center.Y + 0.5) * downscale) - 0.5,
            best.Radius * downscale);
        // The accumulator is coarse (several full-resolution pixels), too coarse to centre within ±20 µm: refine by a
        // least-squares circle through the full-resolution edge points near the Hough circle, twice, narrowing the band.
        return Refine(grey, Refine(grey, coarse, 0.08), 0.03);
    }

    private const int Rays = 240;

    /// <summary>
    /// Along rays from the current centre, the cup edge is where the smoothed profile departs most from the ray's
    /// median within ±<paramref name="band"/> of the radius (the dark gap or bright rim between primer and pocket);
    /// a least-squares (Kåsa) circle through those sub-pixel points gives the centre to a fraction of a pixel.
    /// </summary>
    private static PrimerDetection Refine(Mat grey, PrimerDetection circle, double band)
    {
        using var smooth = new Mat();
        grey.ConvertTo(smooth, MatType.CV_32FC1);
        Cv2.GaussianBlur(smooth, smooth, new Size(0, 0), 1.5);
        var width = smooth.Width;
        var height = smooth.Height;
        smooth.GetArray(out float[] pixels);
        float Sample(double x, double y)
        {
            var x0 = (int)Math.Floor(x);
            var y0 = (int)Math.Floor(y);
            if (x0 < 0 || y0 < 0 || x0 >= width - 1 || y0 >= height - 1)
            {
                return float.NaN;
            }
            var fx = (float)(x - x0);
            var fy = (float)(y - y0);
            var i = (y0 * width) + x0;
            return ((1 - fx) * (1 - fy) * pixels[i]) + (fx * (1 - fy) * pixels[i + 1]) + ((1 - fx) * fy * pixels[i + width]) + (fx * fy * pixels[i + width + 1]);
        }
        var inner = circle.RadiusPixels * (1 - band);
        var steps = Math.Max(8, (int)(2 * band * circle.RadiusPixels * 2));
        var profile = new float[steps + 1];
        var points = new List<(double X, double Y)>(Rays);
        for (var k = 0; k < Rays; k++)
        {
            var angle = 2 * Math.PI * k / Rays;
            var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
            var stepLength = 2 * band * circle.RadiusPixels / steps;
            var complete = true;
            for (var j = 0; j <= steps; j++)
            {
                var r = inner + (j * stepLength);
                profile[j] = Sample(circle.CentreXPixels + (r * cos), circle.CentreYPixels + (r * sin));
                complete &= float.IsFinite(profile[j]);
            }
            if (!complete)
            {
                continue;
            }
            var median = profile.Order().ElementAt(profile.Length / 2);
            var best = 1;
            for (var j = 1; j < steps; j++)
            {
                if (Math.Abs(profile[j] - median) > Math.Abs(profile[best] - median))
                {
                    best = j;
                }
            }
            var (a, b, c) = (profile[best - 1] - median, profile[best] - median, profile[best + 1] - median);
            var denominator = a - (2 * b) + c;
            var sub = denominator != 0 ? Math.Clamp(0.5 * (a - c) / denominator, -0.5, 0.5) : 0;
            var radius = inner + ((best + sub) * stepLength);
            points.Add((radius * cos, radius * sin));
        }
        if (points.Count < Rays / 3 || FitCircle(points) is not { } fit)
        {
            return circle;
        }
        // A stain or scratch on the head face next to the pocket can outdo the cup edge on a few rays; those rays land
        // pixels off the circle the rest agree on. Drop them (beyond 3 robust sigmas, at least a pixel) and fit again.
        for (var pass = 0; pass < 2; pass++)
        {
            var residuals = points.Select(q => Math.Abs(Math.Sqrt(Math.Pow(q.X - fit.X, 2) + Math.Pow(q.Y - fit.Y, 2)) - fit.R)).ToList();
            var mad = residuals.Order().ElementAt(residuals.Count / 2);
            var limit = Math.Max(1.0, 3 * 1.4826 * mad);
            var inliers = points.Where((_, i) => residuals[i] <= limit).ToList();
            if (inliers.Count == points.Count || inliers.Count < Rays / 3 || FitCircle(inliers) is not { } refit)
            {
                break;
            }
            points = inliers;
            fit = refit;
        }
        if (Math.Abs(fit.R - circle.RadiusPixels) > band * circle.RadiusPixels)
        {
            return circle;
        }
        return new PrimerDetection(circle.CentreXPixels + fit.X, circle.CentreYPixels + fit.Y, fit.R);
    }

    /// <summary>Least-squares (Kåsa) circle through points given relative to the current centre, for conditioning: x² + y² + a·x + b·y + c = 0.</summary>
    private static (double X, double Y, double R)? FitCircle(IReadOnlyList<(double X, double Y)> points)
    {
        double sxx = 0, sxy = 0, syy = 0, sx = 0, sy = 0, n = 0, sxz = 0, syz = 0, sz = 0;
        foreach (var (dx, dy) in points)
        {
            var z = -((dx * dx) + (dy * dy));
            sxx += dx * dx; sxy += dx * dy; syy += dy * dy; sx += dx; sy += dy; n++;
            sxz += dx * z; syz += dy * z; sz += z;
        }
        var m = new[,] { { sxx, sxy, sx }, { sxy, syy, sy }, { sx, sy, n } };
        var rhs = new[] { sxz, syz, sz };
        if (!Solve3(m, rhs, out var fa, out var fb, out var fc))
        {
            return null;
        }
        var ox = -fa / 2;
        var oy = -fb / 2;
        var radius2 = (ox * ox) + (oy * oy) - fc;
        return radius2 > 0 ? (ox, oy, Math.Sqrt(radius2)) : null;
    }

    private static bool Solve3(double[,] m, double[] r, out double a, out double b, out double c)
    {
        double Det(double[,] q) =>
            (q[0, 0] * ((q[1, 1] * q[2, 2]) - (q[1, 2] * q[2, 1])))
            - (q[0, 1] * ((q[1, 0] * q[2, 2]) - (q[1, 2] * q[2, 0])))
            + (q[0, 2] * ((q[1, 0] * q[2, 1]) - (q[1, 1] * q[2, 0])));
        var d = Det(m);
        a = b = c = 0;
        if (Math.Abs(d) < 1e-12)
        {
            return false;
        }
        double Replace(int column)
        {
            var q = (double[,])m.Clone();
            for (var i = 0; i < 3; i++)
            {
                q[i, column] = r[i];
            }
            return Det(q) / d;
        }
        a = Replace(0);
        b = Replace(1);
        c = Replace(2);
        return true;
    }
}
