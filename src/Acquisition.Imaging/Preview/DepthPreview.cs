using System.Globalization;
using OpenCvSharp;

namespace Acquisition.Imaging.Preview;

/// <summary>
/// A false-colour picture of a height map for people: viridis between the 1st and 99th percentile of the valid
/// heights, invalid (NaN) pixels dark grey, a colour bar labelled in µm and, when the pixel size is known, a lateral
/// scale bar in µm. It is a preview only; the X3P file is the measurement.
/// </summary>
public static class DepthPreview
{
    private static readonly Scalar InvalidColour = new(48, 48, 48);
    private static readonly Scalar Ink = new(255, 255, 255);

    /// <summary>Returns a CV_8UC3 (BGR) image; <paramref name="pixelSizeMicrometres"/> ≤ 0 omits the lateral bar.</summary>
    public static unsafe Mat Render(Mat heightMicrometres, double pixelSizeMicrometres)
    {
        ArgumentNullException.ThrowIfNull(heightMicrometres);
        if (heightMicrometres.Type() != MatType.CV_32FC1)
        {
            throw new ArgumentException("The height map must be CV_32FC1.", nameof(heightMicrometres));
        }
        int w = heightMicrometres.Width, h = heightMicrometres.Height;
        var (lo, hi) = PercentileRange(heightMicrometres);

        using var grey = new Mat(h, w, MatType.CV_8UC1);
        using var invalid = new Mat(h, w, MatType.CV_8UC1);
        for (int y = 0; y < h; y++)
        {
            var p = (float*)heightMicrometres.Ptr(y);
            var g = (byte*)grey.Ptr(y);
            var m = (byte*)invalid.Ptr(y);
            for (int x = 0; x < w; x++)
            {
                bool nan = float.IsNaN(p[x]);
                m[x] = nan ? (byte)255 : (byte)0;
                g[x] = nan ? (byte)0 : (byte)Math.Clamp((p[x] - lo) / (hi - lo) * 255 + 0.5, 0, 255);
            }
        }
        using var colour = new Mat();
        Cv2.ApplyColorMap(grey, colour, ColormapTypes.Viridis);
        colour.SetTo(InvalidColour, invalid);

        int scale = Math.Max(1, Math.Min(w, h) / 400);
        double font = 0.4 * scale;
        int barWidth = 24 * scale, margin = 8 * scale, labelWidth = 110 * scale;
        var canvas = new Mat(h, w + margin + barWidth + labelWidth, MatType.CV_8UC3, new Scalar(0, 0, 0));
        colour.CopyTo(canvas[new Rect(0, 0, w, h)]);

        // Colour bar: top = highest.
        using (var ramp = new Mat(h, 1, MatType.CV_8UC1))
        {
            for (int y = 0; y < h; y++)
            {
                ramp.Set(y, 0, (byte)Math.Round(255.0 * (h - 1 - y) / Math.Max(h - 1, 1)));
            }
            using var rampColour = new Mat();
            Cv2.ApplyColorMap(ramp, rampColour, ColormapTypes.Viridis);
            using var wide = new Mat();
            Cv2.Resize(rampColour, wide, new Size(barWidth, h), 0, 0, InterpolationFlags.Nearest);
            wide.CopyTo(canvas[new Rect(w + margin, 0, barWidth, h)]);
        }
        int textX = w + margin + barWidth + 4 * scale;
        int textHeight = (int)(14 * scale);
        Label(canvas, Format(hi) + " um", new Point(textX, textHeight), font, scale);
        Label(canvas, Format((lo + hi) / 2) + " um", new Point(textX, h / 2 + textHeight / 2), font, scale);
        Label(canvas, Format(lo) + " um", new Point(textX, h - 4 * scale), font, scale);

        if (pixelSizeMicrometres > 0)
        {
            double targetUm = NiceLength(w * pixelSizeMicrometres / 5);
            int barPixels = (int)Math.Round(targetUm / pixelSizeMicrometres);
            int y0 = h - 12 * scale, x0 = 12 * scale;
            Cv2.Rectangle(canvas, new Rect(x0 - 2 * scale, y0 - 20 * scale, barPixels + 4 * scale, 26 * scale), new Scalar(0, 0, 0), -1);
            Cv2.Rectangle(canvas, new Rect(x0, y0, barPixels, 3 * scale), Ink, -1);
            Label(canvas, Format(targetUm) + " um", new Point(x0, y0 - 6 * scale), font, scale);
        }
        return canvas;
    }

    /// <summary>
    /// The 1st and 99th percentiles of the valid heights from a fixed 4096-bin histogram between their minimum and
    /// maximum (two passes, constant memory: a list of every valid height was tens of MB on a full frame). The
    /// bin width (range / 4096) is far below what a colour scale shows.
    /// </summary>
    private static unsafe (double Lo, double Hi) PercentileRange(Mat height)
    {
        const int bins = 4096;
        int w = height.Width, h = height.Height;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        long count = 0;
        for (int y = 0; y < h; y++)
        {
            var p = (float*)height.Ptr(y);
            for (int x = 0; x < w; x++)
            {
                if (!float.IsNaN(p[x]))
                {
                    min = Math.Min(min, p[x]);
                    max = Math.Max(max, p[x]);
                    count++;
                }
            }
        }
        if (count == 0)
        {
            return (0, 1);
        }
        var histogram = new long[bins];
        double width = Math.Max(max - min, 1e-12) / bins;
        for (int y = 0; y < h; y++)
        {
            var p = (float*)height.Ptr(y);
            for (int x = 0; x < w; x++)
            {
                if (!float.IsNaN(p[x]))
                {
                    histogram[Math.Min((int)((p[x] - min) / width), bins - 1)]++;
                }
            }
        }
        double lo = BinValue(histogram, (long)(0.01 * (count - 1)), min, width);
        double hi = BinValue(histogram, (long)(0.99 * (count - 1)), min, width);
        return hi - lo < 1e-6 ? (lo, lo + 1) : (lo, hi);
    }

    /// <summary>Lower edge of the bin that holds the value of the given rank (0-based); the top bin's upper edge.</summary>
    private static double BinValue(long[] histogram, long rank, double min, double width)
    {
        long seen = 0;
        for (int i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen > rank)
            {
                return min + (i == histogram.Length - 1 ? histogram.Length : i) * width;
            }
        }
        return min + histogram.Length * width;
    }

    private static void Label(Mat canvas, string text, Point at, double font, int thickness) =>
        Cv2.PutText(canvas, text, at, HersheyFonts.HersheySimplex, font, Ink, thickness, LineTypes.AntiAlias, false);

    private static string Format(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>1, 2 or 5 times a power of ten, at most <paramref name="upTo"/>.</summary>
    private static double NiceLength(double upTo)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(upTo, 1e-9))));
        foreach (var k in new[] { 5.0, 2.0, 1.0 })
        {
            if (k * power <= upTo)
            {
                return k * power;
            }
        }
        return power;
    }
}
