using System.Globalization;
using Acquisition.Core.Control;

namespace Acquisition.Workflow.Processing;

/// <summary>
/// Finds the surfaces a focus sweep saw in focus at different heights, from the focus curve of every tile of the
/// window. One score over a window holding two surfaces a few depths of field apart (the primer and the head face
/// around it) is the sum of two peaks and is highest between them, where neither is sharp; each tile, lying on one
/// surface, peaks at that surface's height. The tiles' peaks gather in one cluster a surface, and the clusters are
/// found by the densest band of tile peaks one sweep step wide, taken out with its surroundings before the next.
/// </summary>
public static class FocusSurfaceFinder
{
    /// <summary>A cluster holding fewer than this share of the tiles is not reported as a surface.</summary>
    public const double DefaultMinimumShare = 0.1;

    /// <param name="zMicrometres">The sweep's stage Z at each sample, ascending at an even step.</param>
    /// <param name="tileScores">For each sample, the focus score of every tile (the same tiles at every sample).</param>
    /// <param name="minPeakToFloorRatio">A tile whose curve rises less than this above its floor has no texture to focus on and is left out.</param>
    /// <param name="minimumShare">The least share of the tiles a surface must hold.</param>
    /// <returns>The surfaces, the one covering most tiles first; empty when no cluster holds <paramref name="minimumShare"/>.</returns>
    public static IReadOnlyList<FocusSurface> Find(IReadOnlyList<double> zMicrometres, IReadOnlyList<double[]> tileScores,
        double minPeakToFloorRatio, double minimumShare = DefaultMinimumShare)
    {
        ArgumentNullException.ThrowIfNull(zMicrometres);
        ArgumentNullException.ThrowIfNull(tileScores);
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

        var peaks = new List<double>(tiles);
        for (var t = 0; t < tiles; t++)
        {
            if (TilePeak(zMicrometres, tileScores, t, step, minPeakToFloorRatio) is { } z)
            {
                peaks.Add(z);
            }
        }
        peaks.Sort();

        // A band one step wide: tiles on one surface scatter by less than a step about its height (a parabola through
        // three samples is that good), and two surfaces closer than a step cannot be told apart by this sweep.
        var radius = step / 2;
        var surfaces = new List<FocusSurface>();
        while (peaks.Count > 0)
        {
            var centre = DensestBand(peaks, radius);
            var members = 0;
            for (var iteration = 0; iteration < 3; iteration++)
            {
                var (sum, count) = (0.0, 0);
                foreach (var z in peaks)
                {
                    if (Math.Abs(z - centre) <= radius)
                    {
                        sum += z;
                        count++;
                    }
                }
                if (count == 0)
                {
                    break;
                }
                (centre, members) = (sum / count, count);
            }
            var share = (double)members / tiles;
            if (share < minimumShare)
            {
                break;
            }
            surfaces.Add(new FocusSurface(Math.Round(centre, 1), share));
            // The tiles between two surfaces straddle both and peak between them: they belong to neither, so the
            // next surface must lie more than a step away.
            var taken = centre;
            peaks.RemoveAll(z => Math.Abs(z - taken) <= step);
        }
        surfaces.Sort((a, b) => b.ShareOfWindow.CompareTo(a.ShareOfWindow));
        return surfaces;
    }

    private static double? TilePeak(IReadOnlyList<double> z, IReadOnlyList<double[]> scores, int tile, double step, double minPeakToFloorRatio)
    {
        var best = 0;
        var floor = double.PositiveInfinity;
        for (var i = 0; i < z.Count; i++)
        {
            var s = scores[i][tile];
            if (!double.IsFinite(s))
            {
                return null;
            }
            floor = Math.Min(floor, s);
            if (s > scores[best][tile])
            {
                best = i;
            }
        }
        if (best == 0 || best == z.Count - 1 || scores[best][tile] < floor * minPeakToFloorRatio)
        {
            return null;
        }
        var (a, b, c) = (scores[best - 1][tile], scores[best][tile], scores[best + 1][tile]);
        var denominator = a - (2 * b) + c;
        return denominator < 0 ? z[best] + (0.5 * (a - c) / denominator * step) : z[best];
    }

    private static double DensestBand(List<double> sortedPeaks, double radius)
    {
        var (bestStart, bestCount) = (0, 0);
        var end = 0;
        for (var start = 0; start < sortedPeaks.Count; start++)
        {
            while (end < sortedPeaks.Count && sortedPeaks[end] - sortedPeaks[start] <= 2 * radius)
            {
                end++;
            }
            if (end - start > bestCount)
            {
                (bestStart, bestCount) = (start, end - start);
            }
        }
        var sum = 0.0;
        for (var i = bestStart; i < bestStart + bestCount; i++)
        {
            sum += sortedPeaks[i];
        }
        return sum / bestCount;
    }
}
