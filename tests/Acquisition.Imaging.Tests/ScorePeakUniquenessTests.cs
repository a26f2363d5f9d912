using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

public sealed class ScorePeakUniquenessTests
{
    private const int Side = 13;

    /// <summary>A score map made of Gaussian bumps (centre x, centre y, height, σ) over a floor of −0.2.</summary>
    private static Mat Map(params (double X, double Y, double Height, double Sigma)[] bumps)
    {
        var map = new Mat(Side, Side, MatType.CV_32FC1);
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double v = -0.2;
                foreach (var b in bumps)
                {
                    v = Math.Max(v, b.Height * Math.Exp(-((x - b.X) * (x - b.X) + (y - b.Y) * (y - b.Y)) / (2 * b.Sigma * b.Sigma)));
                }
                map.Set(y, x, (float)v);
            }
        }
        return map;
    }

    [Fact]
    public void A_single_peak_has_no_competitor()
    {
        using var map = Map((6, 6, 0.98, 1.2));
        Assert.Null(ScorePeakUniqueness.StrongestCompetitor(map, new Point(6, 6), 2));
    }

    [Fact]
    public void A_second_peak_beyond_a_valley_is_found_with_its_score_and_place()
    {
        using var map = Map((6, 6, 0.98, 1.0), (10, 3, 0.9, 1.0), (2, 2, 0.4, 1.0));
        var rival = ScorePeakUniqueness.StrongestCompetitor(map, new Point(6, 6), 2);
        Assert.NotNull(rival);
        Assert.Equal(new Point(10, 3), rival.Value.At);
        Assert.Equal(0.9, rival.Value.Score, 5);
    }

    [Fact]
    public void A_peak_on_the_map_border_counts()
    {
        // The competitor's own maximum lies beyond the searched range; its highest visible cell is on the border.
        using var map = Map((6, 6, 0.98, 1.0), (13.5, 6, 0.95, 1.0));
        var rival = ScorePeakUniqueness.StrongestCompetitor(map, new Point(6, 6), 2);
        Assert.NotNull(rival);
        Assert.Equal(new Point(12, 6), rival.Value.At);
    }

    [Fact]
    public void A_bump_on_a_ridge_through_the_best_is_not_a_competitor()
    {
        // Marks running one way: a high ridge through the best peak with a noise bump along it.
        using var map = new Mat(Side, Side, MatType.CV_32FC1);
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double across = y - 6;
                double along = x == 10 ? 0.02 : 0;
                map.Set(y, x, (float)(0.95 * Math.Exp(-across * across / 2) + along - 0.001 * Math.Abs(x - 6)));
            }
        }
        Assert.Null(ScorePeakUniqueness.StrongestCompetitor(map, new Point(6, 6), 2));
    }

    [Fact]
    public void Maxima_closer_than_the_minimum_distance_are_the_peak_itself()
    {
        using var map = Map((6, 6, 0.98, 1.0), (7.5, 6, 0.97, 0.5));
        Assert.Null(ScorePeakUniqueness.StrongestCompetitor(map, new Point(6, 6), 2));
    }
}
