using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// Whether the best peak of a registration score map is the only good match. Parallel tool marks (a milled or filed
/// breech face) repeat: the score map then has a second peak a mark spacing away, nearly as high as the first, and
/// which of the two wins is decided by noise. Taking the winner silently shifted whole stacks by several pixels on the
/// simulator's striated surfaces (docs/imaging.md), so a competing peak makes the registration a reported failure.
/// </summary>
internal static class ScorePeakUniqueness
{
    /// <summary>
    /// The highest local maximum of <paramref name="scores"/> at least <paramref name="minDistance"/> cells
    /// (Chebyshev) from <paramref name="best"/> and separated from it by a valley (the scores on the straight line
    /// between them dip below half the competitor's), or null when there is none. Cells on the map's border count
    /// when they exceed their neighbours inside the map: a competitor may lie just beyond the searched range.
    /// A maximum joined to the best by a high ridge is not a competitor: marks that run one way leave the shift
    /// along them to the finer texture, which the finer match resolves (and a failure there is still reported).
    /// </summary>
    public static (double Score, Point At)? StrongestCompetitor(Mat scores, Point best, int minDistance)
    {
        int width = scores.Width, height = scores.Height;
        if (scores.Type() != MatType.CV_32FC1)
        {
            throw new ArgumentException("The score map must be single-channel float.", nameof(scores));
        }
        scores.GetArray(out float[] values);
        (double Score, Point At)? strongest = null;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (Math.Max(Math.Abs(x - best.X), Math.Abs(y - best.Y)) < minDistance)
                {
                    continue;
                }
                float v = values[y * width + x];
                if (strongest is { } s && v <= s.Score)
                {
                    continue;
                }
                if (IsLocalMaximum(values, width, height, x, y, v) && Valley(values, width, best, x, y) < 0.5 * v)
                {
                    strongest = (v, new Point(x, y));
                }
            }
        }
        return strongest;
    }

    /// <summary>The lowest score on the straight line from <paramref name="from"/> to (x, y), at nearest cells.</summary>
    private static float Valley(float[] values, int width, Point from, int x, int y)
    {
        int steps = Math.Max(Math.Abs(x - from.X), Math.Abs(y - from.Y));
        float lowest = float.PositiveInfinity;
        for (int i = 1; i < steps; i++)
        {
            int cx = (int)Math.Round(from.X + (x - from.X) * (double)i / steps);
            int cy = (int)Math.Round(from.Y + (y - from.Y) * (double)i / steps);
            lowest = Math.Min(lowest, values[cy * width + cx]);
        }
        return lowest;
    }

    private static bool IsLocalMaximum(float[] values, int width, int height, int x, int y, float v)
    {
        for (int dy = -1; dy <= 1; dy++)
        {
            for (int dx = -1; dx <= 1; dx++)
            {
                int nx = x + dx, ny = y + dy;
                if ((dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < width && ny < height && values[ny * width + nx] > v)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
