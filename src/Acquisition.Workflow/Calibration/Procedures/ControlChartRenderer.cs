using System.Globalization;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// The reference control chart as a PNG: areal cross-correlation per verification in time order, the lower control
/// limit as a red line, passing points green and failing ones red, the last point's value printed.
/// </summary>
public static class ControlChartRenderer
{
    public static byte[] Render(IReadOnlyList<(DateTimeOffset At, double Value, bool Passed)> rows, double lowerLimit)
    {
        const int width = 800, height = 400, left = 70, right = 20, top = 40, bottom = 50;
        using var img = new Mat(height, width, MatType.CV_8UC3, Scalar.All(255));
        var min = Math.Min(lowerLimit, rows.Count == 0 ? lowerLimit : rows.Min(r => r.Value));
        var lo = Math.Max(0, Math.Floor((min - 0.02) * 50) / 50);
        const double hi = 1.0;
        int X(int i) => left + (rows.Count <= 1 ? (width - left - right) / 2 : i * (width - left - right) / (rows.Count - 1));
        int Y(double v) => top + (int)Math.Round((hi - v) / Math.Max(1e-9, hi - lo) * (height - top - bottom));
        Cv2.Rectangle(img, new Point(left, top), new Point(width - right, height - bottom), Scalar.All(0), 1);
        for (var k = 0; k <= 4; k++)
        {
            var v = lo + ((hi - lo) * k / 4);
            Cv2.Line(img, new Point(left - 5, Y(v)), new Point(left, Y(v)), Scalar.All(0), 1);
            Cv2.PutText(img, v.ToString("0.00", CultureInfo.InvariantCulture), new Point(5, Y(v) + 5), HersheyFonts.HersheySimplex, 0.45, Scalar.All(0), 1, LineTypes.AntiAlias);
        }
        Cv2.Line(img, new Point(left, Y(lowerLimit)), new Point(width - right, Y(lowerLimit)), new Scalar(0, 0, 220), 1, LineTypes.AntiAlias);
        Cv2.PutText(img, "LCL " + lowerLimit.ToString("0.00", CultureInfo.InvariantCulture), new Point(width - right - 90, Y(lowerLimit) - 6), HersheyFonts.HersheySimplex, 0.45, new Scalar(0, 0, 220), 1, LineTypes.AntiAlias);
        Cv2.PutText(img, "Reference casing: areal cross-correlation", new Point(left, 25), HersheyFonts.HersheySimplex, 0.6, Scalar.All(0), 1, LineTypes.AntiAlias);
        for (var i = 0; i < rows.Count; i++)
        {
            if (i > 0)
            {
                Cv2.Line(img, new Point(X(i - 1), Y(rows[i - 1].Value)), new Point(X(i), Y(rows[i].Value)), Scalar.All(120), 1, LineTypes.AntiAlias);
            }
        }
        for (var i = 0; i < rows.Count; i++)
        {
            Cv2.Circle(img, new Point(X(i), Y(rows[i].Value)), 4, rows[i].Passed ? new Scalar(0, 160, 0) : new Scalar(0, 0, 220), -1, LineTypes.AntiAlias);
        }
        if (rows.Count > 0)
        {
            var last = rows[^1];
            Cv2.PutText(img, last.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) + "  " + last.Value.ToString("0.0000", CultureInfo.InvariantCulture),
                new Point(left, height - 15), HersheyFonts.HersheySimplex, 0.5, Scalar.All(0), 1, LineTypes.AntiAlias);
        }
        Cv2.ImEncode(".png", img, out var png);
        return png;
    }
}
