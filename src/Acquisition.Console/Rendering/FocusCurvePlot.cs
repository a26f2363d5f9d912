using System.Globalization;
using System.Text;
using Acquisition.Core.Control;

namespace Acquisition.ServiceConsole.Rendering;

/// <summary>
/// Draws a focus curve as plain text (works over any SSH session, in logs and without colour): focus measure up,
/// stage Z across, the chosen best Z marked with '^' under the axis.
/// </summary>
internal static class FocusCurvePlot
{
    public static string Render(IReadOnlyList<FocusSample> curve, double? bestZMicrometres, int width = 60, int height = 12)
    {
        if (curve.Count == 0)
        {
            return "(no focus samples)";
        }
        var samples = curve.Where(s => double.IsFinite(s.ZMicrometres) && double.IsFinite(s.Focus)).OrderBy(s => s.ZMicrometres).ToList();
        if (samples.Count == 0)
        {
            return "(no finite focus samples)";
        }
        var zMin = samples[0].ZMicrometres;
        var zMax = samples[^1].ZMicrometres;
        var fMin = samples.Min(s => s.Focus);
        var fMax = samples.Max(s => s.Focus);
        var zSpan = zMax > zMin ? zMax - zMin : 1;
        var fSpan = fMax > fMin ? fMax - fMin : 1;
        var grid = new char[height, width];
        for (var r = 0; r < height; r++)
        {
            for (var c = 0; c < width; c++)
            {
                grid[r, c] = ' ';
            }
        }
        foreach (var s in samples)
        {
            var col = Column(s.ZMicrometres, zMin, zSpan, width);
            var row = height - 1 - (int)Math.Round((s.Focus - fMin) / fSpan * (height - 1));
            grid[row, col] = '*';
        }
        var label = Math.Max(Num(fMax).Length, Num(fMin).Length);
        var sb = new StringBuilder();
        sb.Append("focus").Append('\n');
        for (var r = 0; r < height; r++)
        {
            var tick = r == 0 ? Num(fMax) : r == height - 1 ? Num(fMin) : "";
            sb.Append(tick.PadLeft(label)).Append(" |");
            for (var c = 0; c < width; c++)
            {
                sb.Append(grid[r, c]);
            }
            sb.Append('\n');
        }
        sb.Append(new string(' ', label)).Append(" +").Append(new string('-', width)).Append('\n');
        if (bestZMicrometres is { } best && double.IsFinite(best))
        {
            var col = Column(best, zMin, zSpan, width);
            sb.Append(new string(' ', label + 2 + col)).Append("^ best Z ").Append(Format.Micrometres(best)).Append('\n');
        }
        var left = Num(zMin);
        var right = Num(zMax) + " µm (Z)";
        sb.Append(new string(' ', label + 2)).Append(left).Append(right.PadLeft(Math.Max(1, width - left.Length))).Append('\n');
        return sb.ToString();
    }

    private static int Column(double z, double zMin, double zSpan, int width) =>
        Math.Clamp((int)Math.Round((z - zMin) / zSpan * (width - 1)), 0, width - 1);

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
