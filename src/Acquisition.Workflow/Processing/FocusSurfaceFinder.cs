using System.Globalization;
using Acquisition.Core.Control;

namespace Acquisition.Workflow.Processing;

/// <summary>
/// Finds the surfaces a focus sweep saw in focus at different heights, from the focus curve of every tile of the
/// window. One score over a window holding two surfaces closer than the focus curve is wide (the primer and the head
/// face around it) is the sum of two peaks and is highest between them, where neither is sharp; each tile, lying on
/// one surface, peaks at that surface's height. The tiles' peaks are gathered by their density along Z, smoothed at
/// a sixteenth of the tiles' focus-curve width: a surface is a mode of that density, and two modes are two surfaces
/// only when a clear valley separates them, so a tilted or domed surface stays one. The tiles straddling an edge peak
/// anywhere between the two heights; they make no third surface because a surface must also gather its share of the
/// tiles within one bandwidth of its mode.
/// </summary>
public static class FocusSurfaceFinder
{
    /// <summary>A surface nearest fewer than this share of the tiles is not reported.</summary>
    public const double DefaultMinimumShare = 0.1;

    /// <summary>
    /// The smoothing of the tile peaks' density, as a share of the tiles' median focus-curve width (full width at half
    /// height). Two surfaces come out as two from about 3.5 bandwidths apart, a fifth of the curve width: the primer
    /// and the head face on the service camera are 40 µm apart under curves 70–150 µm wide. The few µm a parabola's
    /// peak wanders in frame noise stay well inside one bandwidth.
    /// </summary>
    public const double BandwidthOfCurveWidth = 1.0 / 16;

    /// <summary>Two modes whose valley is at least this share of the lower one are one surface with a bump on it.</summary>
    public const double MergeValleyRatio = 0.7;

    /// <summary>
    /// A tile whose curve peaks less than this far above its floor has no texture to focus on and is left out. A tile
    /// of 32 × 32 half-resolution pixels scores a bare surface with about 4.5 % frame noise (a variance over 1024
    /// samples), which alone lifts the highest of 21 samples 15–25 % over the lowest; a textured tile in focus stands
    /// several times over its floor.
    /// </summary>
    public const double MinTilePeakToFloor = 1.3;

    /// <summary>
    /// The surfaces in the sweep, the one nearest most tiles first: each with the Z of its mode and the share of all
    /// tiles whose peak lies on its side of the valleys to its neighbours. A surface must hold
    /// <paramref name="minimumShare"/> of the tiles within one bandwidth of its mode, too. Empty when no tile has a
    /// clear peak inside the sweep or no surface qualifies.
    /// </summary>
    /// <param name="zMicrometres">The sweep's stage Z at each sample, ascending at an even step.</param>
    /// <param name="tileScores">For each sample, the focus score of every tile (the same tiles at every sample).</param>
    /// <param name="minimumShare">The least share of the tiles a surface must be nearest, above 0 and at most 1.</param>
    public static IReadOnlyList<FocusSurface> Find(IReadOnlyList<double> zMicrometres, IReadOnlyList<double[]> tileScores,
        double minimumShare = DefaultMinimumShare)
    {
        ArgumentNullException.ThrowIfNull(zMicrometres);
        ArgumentNullException.ThrowIfNull(tileScores);
        if (!(minimumShare > 0 && minimumShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minimumShare), minimumShare, "the minimum share of tiles must be above 0 and at most 1.");
        }
        var n = zMicrometres.Count;
        if (tileScores.Count != n)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{tileScores.Count} rows of tile scores for {n} sweep samples."), nameof(tileScores));
        }
        if (n < 3)
        {
            return [];
        }
        var tiles = tileScores[0].Length;
        if (tiles == 0 || tileScores.Any(row => row.Length != tiles))
        {
            throw new ArgumentException("every sample needs a score for the same, non-empty set of tiles.", nameof(tileScores));
        }
        var step = zMicrometres[1] - zMicrometres[0];
        if (!(step > 0))
        {
            throw new ArgumentException("the sweep's Z must rise from sample to sample.", nameof(zMicrometres));
        }
        for (var i = 2; i < n; i++)
        {
            // The parabola and the smoothing are in steps; an uneven sweep would also size the density grid wrongly.
            if (!(Math.Abs(zMicrometres[i] - zMicrometres[i - 1] - step) <= 1e-6 * step))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"the sweep's Z must rise by an even step: {zMicrometres[i - 1]:0.###} to {zMicrometres[i]:0.###} µm against the first step of {step:0.###} µm."), nameof(zMicrometres));
            }
        }

        var peaks = new List<double>(tiles);
        var widths = new List<double>(tiles);
        var curve = new double[n];
        for (var t = 0; t < tiles; t++)
        {
            for (var i = 0; i < n; i++)
            {
                curve[i] = tileScores[i][t];
            }
            if (TilePeak(zMicrometres, curve, step) is { } fit)
            {
                peaks.Add(fit.Z);
                if (fit.Width is { } width)
                {
                    widths.Add(width);
                }
            }
        }
        if (peaks.Count == 0)
        {
            return [];
        }
        peaks.Sort();
        widths.Sort();
        // No finer than an eighth of a step: a parabola through three samples is not better than that where the curve
        // is only a few steps wide. Without a measured width (every curve wider than the sweep), the step alone.
        var bandwidth = Math.Max(widths.Count > 0 ? BandwidthOfCurveWidth * widths[widths.Count / 2] : 0, step / 8);

        var grid = Density(peaks, bandwidth, out var densities);
        var modes = Modes(densities);
        var basins = new List<(double Mode, int Members, int Concentrated)>(modes.Count);
        for (var m = 0; m < modes.Count; m++)
        {
            // A basin runs from the valley before its mode to the valley after it.
            var low = m == 0 ? double.NegativeInfinity : grid[Valley(densities, modes[m - 1], modes[m])];
            var high = m == modes.Count - 1 ? double.PositiveInfinity : grid[Valley(densities, modes[m], modes[m + 1])];
            var mode = MeanShift(peaks, grid[modes[m]], bandwidth);
            basins.Add((mode, peaks.Count(z => z > low && z <= high), peaks.Count(z => Math.Abs(z - mode) <= bandwidth)));
        }
        var large = basins.Select(b => (double)b.Members / tiles >= minimumShare).ToArray();
        var largest = basins.Count == 0 ? -1 : basins.IndexOf(basins.MaxBy(b => b.Members));
        var surfaces = new List<(FocusSurface Surface, int Concentrated)>();
        for (var m = 0; m < basins.Count; m++)
        {
            // Between two surfaces lie the tiles on an edge or a chamfer, each peaking at its own height: a basin there
            // must also gather its share near its mode. A surface with no other on one side (a head face tilted over
            // more than the smoothing, spread thin) need not, and the largest basin is always a surface.
            var between = large[..m].Contains(true) && large[(m + 1)..].Contains(true);
            var concentrated = (double)basins[m].Concentrated / tiles >= minimumShare;
            if (large[m] && (m == largest || !between || concentrated))
            {
                surfaces.Add((new FocusSurface(Math.Round(basins[m].Mode, 1), (double)basins[m].Members / tiles), basins[m].Concentrated));
            }
        }
        // Equal shares: the surface whose tiles agree more closely, then the lower one, so the choice does not depend on sort order.
        return surfaces
            .OrderByDescending(f => f.Surface.ShareOfWindow)
            .ThenByDescending(f => f.Concentrated)
            .ThenBy(f => f.Surface.ZMicrometres)
            .Select(f => f.Surface)
            .ToList();
    }

    /// <summary>
    /// The tile's peak refined by a parabola, and its curve's full width at half height above the floor (twice the
    /// half width on the side that stays inside the sweep when the other runs off its end; null when both do). Null
    /// without a clear peak inside the sweep, or a floor of zero (a clipped or black tile: no ratio means anything).
    /// </summary>
    private static (double Z, double? Width)? TilePeak(IReadOnlyList<double> z, double[] s, double step)
    {
        var best = 0;
        var floor = double.PositiveInfinity;
        for (var i = 0; i < s.Length; i++)
        {
            if (!double.IsFinite(s[i]))
            {
                return null;
            }
            floor = Math.Min(floor, s[i]);
            if (s[i] > s[best])
            {
                best = i;
            }
        }
        if (best == 0 || best == s.Length - 1 || !(floor > 0) || !(s[best] >= floor * MinTilePeakToFloor))
        {
            return null;
        }
        var (a, b, c) = (s[best - 1], s[best], s[best + 1]);
        var denominator = a - (2 * b) + c;
        var peak = denominator < 0 ? z[best] + (0.5 * (a - c) / denominator * step) : z[best];

        var half = floor + ((s[best] - floor) / 2);
        var left = best;
        while (left > 0 && s[left - 1] >= half)
        {
            left--;
        }
        var right = best;
        while (right < s.Length - 1 && s[right + 1] >= half)
        {
            right++;
        }
        double? from = left > 0 ? z[left] - (step * (s[left] - half) / (s[left] - s[left - 1])) : null;
        double? to = right < s.Length - 1 ? z[right] + (step * (s[right] - half) / (s[right] - s[right + 1])) : null;
        double? width = (from, to) switch
        {
            ({ } f, { } t) => t - f,
            ({ } f, null) => 2 * (peak - f),
            (null, { } t) => 2 * (t - peak),
            _ => null,
        };
        return (peak, width);
    }

    /// <summary>The Gaussian-smoothed density of the peaks on a grid a quarter bandwidth apart, three bandwidths past the outermost.</summary>
    private static double[] Density(List<double> sortedPeaks, double bandwidth, out double[] densities)
    {
        var spacing = bandwidth / 4;
        var start = sortedPeaks[0] - (3 * bandwidth);
        var count = (int)Math.Ceiling((sortedPeaks[^1] + (3 * bandwidth) - start) / spacing) + 1;
        var grid = new double[count];
        densities = new double[count];
        for (var g = 0; g < count; g++)
        {
            grid[g] = start + (g * spacing);
            var sum = 0.0;
            foreach (var p in sortedPeaks)
            {
                var u = (grid[g] - p) / bandwidth;
                sum += Math.Exp(-0.5 * u * u);
            }
            densities[g] = sum;
        }
        return grid;
    }

    /// <summary>The density's local maxima, with any whose valley to a neighbour is shallow merged into the higher.</summary>
    private static List<int> Modes(double[] d)
    {
        var modes = new List<int>();
        for (var g = 0; g < d.Length; g++)
        {
            var left = g == 0 ? double.NegativeInfinity : d[g - 1];
            var right = g == d.Length - 1 ? double.NegativeInfinity : d[g + 1];
            // A flat top counts once, at its first point.
            if (d[g] > left && d[g] >= right)
            {
                modes.Add(g);
            }
        }
        var merged = true;
        while (merged && modes.Count > 1)
        {
            merged = false;
            for (var m = 0; m + 1 < modes.Count; m++)
            {
                var valley = d[Valley(d, modes[m], modes[m + 1])];
                if (valley >= MergeValleyRatio * Math.Min(d[modes[m]], d[modes[m + 1]]))
                {
                    modes.RemoveAt(d[modes[m]] >= d[modes[m + 1]] ? m + 1 : m);
                    merged = true;
                    break;
                }
            }
        }
        return modes;
    }

    private static int Valley(double[] d, int from, int to)
    {
        var lowest = from;
        for (var g = from + 1; g <= to; g++)
        {
            if (d[g] < d[lowest])
            {
                lowest = g;
            }
        }
        return lowest;
    }

    /// <summary>The mode refined off the grid: the Gaussian-weighted mean of the peaks around it, iterated to rest.</summary>
    private static double MeanShift(List<double> peaks, double start, double bandwidth)
    {
        var centre = start;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var (sum, weight) = (0.0, 0.0);
            foreach (var p in peaks)
            {
                var u = (p - centre) / bandwidth;
                var w = Math.Exp(-0.5 * u * u);
                sum += w * p;
                weight += w;
            }
            var next = sum / weight;
            if (Math.Abs(next - centre) < 1e-3)
            {
                return next;
            }
            centre = next;
        }
        return centre;
    }
}
