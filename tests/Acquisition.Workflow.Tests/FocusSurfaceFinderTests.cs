using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Tests;

/// <summary>
/// The surfaces a sweep sees from its tiles' focus curves, on curves shaped like the simulator's: a peak about 100 µm
/// wide at half height over a floor, with a little frame noise.
/// </summary>
public sealed class FocusSurfaceFinderTests
{
    private const double Step = 20;
    private static readonly double[] Z = Enumerable.Range(0, 21).Select(i => -200 + (i * Step)).ToArray();

    /// <summary>The score of a tile of texture <paramref name="contrast"/> whose surface is sharp at <paramref name="focusZ"/>.</summary>
    private static double Curve(double z, double focusZ, double contrast) =>
        0.01 + (contrast * Math.Exp(-0.5 * Math.Pow((z - focusZ) / 42, 2)));

    /// <summary>Tile scores for every sample of tiles lying on the given surfaces (null: a tile with no texture).</summary>
    private static List<double[]> Sweep(IReadOnlyList<(double? FocusZ, double Contrast)> tiles, int seed, double noise = 0.01)
    {
        var random = new Random(seed);
        return Z.Select(z => tiles.Select(t => (t.FocusZ is { } f ? Curve(z, f, t.Contrast) : 0.01) * (1 + (noise * ((2 * random.NextDouble()) - 1)))).ToArray()).ToList();
    }

    private static double ParabolaPeak(IReadOnlyList<double> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Count; i++)
        {
            best = scores[i] > scores[best] ? i : best;
        }
        var (a, b, c) = (scores[best - 1], scores[best], scores[best + 1]);
        return Z[best] + (0.5 * (a - c) / (a - (2 * b) + c) * Step);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Two_surfaces_two_steps_apart_are_found_where_the_whole_window_peaks_between_them(int seed)
    {
        // 36 tiles: 20 on the primer at −40 µm, 13 on the head face at 0 µm, 2 straddling the edge, 1 without texture.
        var tiles = Enumerable.Repeat<(double?, double)>((-40.0, 0.1), 20)
            .Concat(Enumerable.Repeat<(double?, double)>((0.0, 0.1), 13))
            .Concat([(-20.0, 0.1), (-22.0, 0.1), (null, 0)]).ToList();
        var sweep = Sweep(tiles, seed);

        // The premise: one score over the window peaks between the two surfaces, sharp on neither.
        var whole = ParabolaPeak(sweep.Select(row => row.Sum()).ToList());
        Assert.InRange(whole, -32, -12);

        var surfaces = FocusSurfaceFinder.Find(Z, sweep, 1.05);
        Assert.Equal(2, surfaces.Count);
        Assert.InRange(surfaces[0].ZMicrometres, -43, -37);
        Assert.Equal(20.0 / 36, surfaces[0].ShareOfWindow, 0.03);
        Assert.InRange(surfaces[1].ZMicrometres, -3, 3);
        Assert.Equal(13.0 / 36, surfaces[1].ShareOfWindow, 0.03);
    }

    [Fact]
    public void One_surface_is_one_surface_at_the_peak_of_its_curve()
    {
        var sweep = Sweep(Enumerable.Range(0, 16).Select(i => ((double?)-63.0, 0.05 + (0.01 * i))).ToList(), seed: 7);
        var surface = Assert.Single(FocusSurfaceFinder.Find(Z, sweep, 1.05));
        Assert.InRange(surface.ZMicrometres, -66, -60);
        Assert.Equal(1.0, surface.ShareOfWindow);
    }

    [Fact]
    public void Surfaces_closer_than_a_step_are_one_and_no_tile_is_counted_twice()
    {
        var tiles = Enumerable.Repeat<(double?, double)>((-45.0, 0.1), 10).Concat(Enumerable.Repeat<(double?, double)>((-35.0, 0.1), 10)).ToList();
        var surface = Assert.Single(FocusSurfaceFinder.Find(Z, Sweep(tiles, seed: 4), 1.05));
        Assert.InRange(surface.ZMicrometres, -45, -35);
        Assert.Equal(1.0, surface.ShareOfWindow);
    }

    [Fact]
    public void Tiles_without_texture_or_whose_peak_is_at_an_end_of_the_sweep_name_no_surface()
    {
        // A bare holder: no tile rises above its floor.
        Assert.Empty(FocusSurfaceFinder.Find(Z, Sweep(Enumerable.Repeat<(double?, double)>((null, 0), 9).ToList(), seed: 5), 1.05));
        // Everything sharpest at or past the top of the sweep: no peak inside it to stand on.
        Assert.Empty(FocusSurfaceFinder.Find(Z, Sweep(Enumerable.Repeat<(double?, double)>((260.0, 0.1), 9).ToList(), seed: 6), 1.05));
        // A surface on fewer tiles than the minimum share is not reported; the one on the rest is.
        var tiles = Enumerable.Repeat<(double?, double)>((-100.0, 0.1), 19).Append((60.0, 0.1)).ToList();
        var surface = Assert.Single(FocusSurfaceFinder.Find(Z, Sweep(tiles, seed: 8), 1.05));
        Assert.Equal(0.95, surface.ShareOfWindow, 1e-9);
    }

    [Fact]
    public void Scores_that_do_not_match_the_sweep_are_refused_by_name()
    {
        var sweep = Sweep([(-40.0, 0.1)], seed: 1);
        Assert.Contains("20 rows of tile scores for 21 sweep samples", Assert.Throws<ArgumentException>(() => FocusSurfaceFinder.Find(Z, sweep.Skip(1).ToList(), 1.05)).Message, StringComparison.Ordinal);
        var ragged = sweep.Select((row, i) => i == 3 ? new double[2] : row).ToList();
        Assert.Contains("the same, non-empty set of tiles", Assert.Throws<ArgumentException>(() => FocusSurfaceFinder.Find(Z, ragged, 1.05)).Message, StringComparison.Ordinal);
        Assert.Contains("must rise", Assert.Throws<ArgumentException>(() => FocusSurfaceFinder.Find(Z.Reverse().ToList(), sweep, 1.05)).Message, StringComparison.Ordinal);
    }
}
