using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Tests;

/// <summary>
/// The surfaces a sweep sees from its tiles' focus curves, on curves shaped like the service camera's: a peak about
/// 100 µm wide at half height over a floor, with frame noise.
/// </summary>
public sealed class FocusSurfaceFinderTests
{
    /// <summary>A 400 µm sweep centred on 0 at the given step.</summary>
    private static double[] Sweep(double step) =>
        Enumerable.Range(0, (int)Math.Round(400 / step) + 1).Select(i => -200 + (i * step)).ToArray();

    /// <summary>The score of a tile of texture <paramref name="contrast"/> whose surface is sharp at <paramref name="focusZ"/>.</summary>
    private static double Curve(double z, double focusZ, double contrast) =>
        0.01 + (contrast * Math.Exp(-0.5 * Math.Pow((z - focusZ) / 42, 2)));

    /// <summary>
    /// Tile scores at every Z of tiles, each lying on one surface (null: no texture) or straddling the edge between two
    /// (a share of each), with multiplicative noise of ±<paramref name="noise"/>.
    /// </summary>
    private static List<double[]> Scores(double[] z, IReadOnlyList<Func<double, double>> tiles, int seed, double noise = 0.01)
    {
        var random = new Random(seed);
        return z.Select(at => tiles.Select(t => t(at) * (1 + (noise * ((2 * random.NextDouble()) - 1)))).ToArray()).ToList();
    }

    private static Func<double, double> On(double focusZ, double contrast = 0.1) => z => Curve(z, focusZ, contrast);

    private static Func<double, double> Straddling(double lowerZ, double upperZ, double shareOnLower) =>
        z => (shareOnLower * Curve(z, lowerZ, 0.1)) + ((1 - shareOnLower) * Curve(z, upperZ, 0.1));

    private static readonly Func<double, double> Bare = _ => 0.01;

    private static IEnumerable<Func<double, double>> Repeat(Func<double, double> tile, int count) => Enumerable.Repeat(tile, count);

    private static double ParabolaPeak(double[] z, IReadOnlyList<double> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Count; i++)
        {
            best = scores[i] > scores[best] ? i : best;
        }
        var (a, b, c) = (scores[best - 1], scores[best], scores[best + 1]);
        return z[best] + (0.5 * (a - c) / (a - (2 * b) + c) * (z[1] - z[0]));
    }

    /// <summary>The primer at −40 µm on 20 of 36 tiles, the head face at 0 on 13, 2 straddling the edge, 1 bare.</summary>
    private static List<Func<double, double>> PrimerAndHeadFace() =>
        [.. Repeat(On(-40), 20), .. Repeat(On(0), 13), Straddling(-40, 0, 0.5), Straddling(-40, 0, 0.4), Bare];

    [Theory]
    [InlineData(20, 1)]
    [InlineData(20, 2)]
    [InlineData(20, 3)]
    [InlineData(5, 4)]
    [InlineData(10, 5)]
    [InlineData(40, 6)]
    [InlineData(50, 7)]
    public void Two_surfaces_40_um_apart_are_found_at_any_step_where_the_whole_window_peaks_between_them(double step, int seed)
    {
        var z = Sweep(step);
        var sweep = Scores(z, PrimerAndHeadFace(), seed);

        // The premise: one score over the window peaks between the two surfaces, sharp on neither.
        var whole = ParabolaPeak(z, sweep.Select(row => row.Sum()).ToList());
        Assert.InRange(whole, -32, -8);

        var surfaces = FocusSurfaceFinder.Find(z, sweep);
        Assert.Equal(2, surfaces.Count);
        // The parabola through three samples is exact at the sample and off by a few µm between, more at a coarse step.
        var tolerance = Math.Max(3, step / 8);
        Assert.InRange(surfaces[0].ZMicrometres, -40 - tolerance, -40 + tolerance);
        Assert.InRange(surfaces[1].ZMicrometres, -tolerance, tolerance);
        // Shares of all 36 tiles: each surface's own, plus at most the two straddling tiles; the bare one is nobody's.
        Assert.InRange(surfaces[0].ShareOfWindow, 20.0 / 36, 22.0 / 36);
        Assert.InRange(surfaces[1].ShareOfWindow, 13.0 / 36, 15.0 / 36);
        Assert.Equal(35.0 / 36, surfaces.Sum(s => s.ShareOfWindow), 1e-9);
    }

    [Fact]
    public void Surfaces_under_curves_of_different_widths_stay_two()
    {
        // The simulated station's view (seen in a sweep there): the primer's tiles under focus curves about 130 µm wide
        // peak within ±6 µm of −40, the head face's, finer-textured, under curves about 70 µm wide within −15…+3 µm of
        // 0, and four edge tiles in between. Wide curves set a wide smoothing; it must still keep 38 µm apart.
        var z = Sweep(20);
        Func<double, double> Wide(double focusZ) => at => 0.01 + (0.1 * Math.Exp(-0.5 * Math.Pow((at - focusZ) / 55, 2)));
        Func<double, double> Narrow(double focusZ) => at => 0.01 + (0.1 * Math.Exp(-0.5 * Math.Pow((at - focusZ) / 30, 2)));
        var primer = new[] { -46.3, -45.4, -44.1, -43.6, -42.8, -42.4, -42.4, -41.7, -41.4, -41.1, -40.9, -40.8, -40.4, -40.3, -39.9, -39.6, -39.2, -39.0, -38.6, -38.2, -38.1, -36.4, -35.5, -34.6, -34.4 };
        var head = new[] { -13.0, -12.9, -11.5, -9.6, -8.6, -7.9, -4.4, -4.0, -3.9, -3.8, -3.1, -2.7, -2.5, -2.3, -2.0, -1.9, -1.2, -0.9, -0.1, 1.2 };
        var sweep = Scores(z, [.. primer.Select(Wide), .. head.Select(Narrow), Straddling(-40, 0, 0.7), Straddling(-40, 0, 0.4), Straddling(-40, 0, 0.3), Bare], seed: 14);
        var surfaces = FocusSurfaceFinder.Find(z, sweep);
        Assert.Equal(2, surfaces.Count);
        Assert.InRange(surfaces[0].ZMicrometres, -43, -37);
        Assert.InRange(surfaces[1].ZMicrometres, -6, 0);
    }

    [Fact]
    public void Tiles_straddling_the_edge_make_no_surface_between_two_real_ones()
    {
        // A deeper primer recess, 60 µm: the edge tiles peak all over the 60 µm between the surfaces.
        var z = Sweep(20);
        var edge = Enumerable.Range(0, 6).Select(i => Straddling(-60, 0, 0.15 + (0.14 * i)));
        var sweep = Scores(z, [.. Repeat(On(-60), 19), .. Repeat(On(0), 15), .. edge], seed: 11);
        var surfaces = FocusSurfaceFinder.Find(z, sweep);
        Assert.Equal(2, surfaces.Count);
        Assert.InRange(surfaces[0].ZMicrometres, -63, -57);
        Assert.InRange(surfaces[1].ZMicrometres, -3, 3);
    }

    [Fact]
    public void A_sloped_chamfer_between_two_surfaces_is_no_surface()
    {
        // A 90 µm deep primer pocket whose textured chamfer holds 15 % of the tiles, each sharp at its own height from
        // −60 to −30 µm: a bump of its own between the two surfaces, but spread so thinly that no height gathers a
        // tenth of the tiles.
        var z = Sweep(20);
        var chamfer = Enumerable.Range(0, 6).Select(i => On(-60 + (6.0 * i)));
        var sweep = Scores(z, [.. Repeat(On(-90), 19), .. Repeat(On(0), 15), .. chamfer], seed: 15);
        var surfaces = FocusSurfaceFinder.Find(z, sweep);
        Assert.Equal(2, surfaces.Count);
        Assert.InRange(surfaces[0].ZMicrometres, -93, -87);
        Assert.InRange(surfaces[1].ZMicrometres, -3, 3);
    }

    [Fact]
    public void A_tilted_head_face_is_one_surface_and_the_one_covering_most()
    {
        // A 0.5° tilt across the view: the head face's tiles peak evenly from 0 to 45 µm; the primer, flat, at −40 µm.
        var z = Sweep(20);
        var head = Enumerable.Range(0, 23).Select(i => On(45.0 * i / 22));
        var sweep = Scores(z, [.. head, .. Repeat(On(-40), 13)], seed: 12);
        var surfaces = FocusSurfaceFinder.Find(z, sweep);
        Assert.Equal(2, surfaces.Count);
        Assert.Equal(23.0 / 36, surfaces[0].ShareOfWindow, 1e-9);
        Assert.InRange(surfaces[0].ZMicrometres, 5, 40);
        Assert.InRange(surfaces[1].ZMicrometres, -43, -37);
    }

    [Fact]
    public void A_head_face_tilted_over_more_than_the_smoothing_is_still_the_surface_covering_most()
    {
        // The full 8 × 8 tiles: the head face on 38 of them, tilted so its tiles peak evenly from 0 to 90 µm (few lie
        // near any one height), the flat primer on 26 at −40 µm.
        var z = Sweep(20);
        var head = Enumerable.Range(0, 38).Select(i => On(90.0 * i / 37));
        var sweep = Scores(z, [.. head, .. Repeat(On(-40), 26)], seed: 16);
        var surfaces = FocusSurfaceFinder.Find(z, sweep);
        Assert.Equal(2, surfaces.Count);
        Assert.InRange(surfaces[0].ZMicrometres, 0, 90);
        Assert.True(surfaces[0].ShareOfWindow > surfaces[1].ShareOfWindow);
        Assert.InRange(surfaces[1].ZMicrometres, -43, -37);
    }

    [Theory]
    [InlineData(1.28, false)]
    [InlineData(1.32, true)]
    public void A_tile_needs_its_peak_a_third_above_its_floor_to_count(double peakToFloor, bool counts)
    {
        var z = Sweep(20);
        var sweep = Scores(z, Repeat(at => 0.01 * (1 + ((peakToFloor - 1) * Math.Exp(-0.5 * Math.Pow((at + 20) / 42, 2)) / (1 - Math.Exp(-0.5 * Math.Pow(220.0 / 42, 2))))), 9).ToList(), seed: 17, noise: 0);
        Assert.Equal(peakToFloor, sweep.Max(row => row[0]) / sweep.Min(row => row[0]), 0.005);
        Assert.Equal(counts, FocusSurfaceFinder.Find(z, sweep).Count == 1);
    }

    [Fact]
    public void A_tile_with_a_zero_floor_is_no_surface()
    {
        // A clipped or black tile scores 0; one sample's rounding above it is no peak, whatever its ratio.
        var z = Sweep(20);
        var sweep = z.Select(at => Enumerable.Repeat(at == -20 ? 1e-12 : 0.0, 9).ToArray()).ToList();
        Assert.Empty(FocusSurfaceFinder.Find(z, sweep));
    }

    [Fact]
    public void A_domed_primer_swept_finely_is_one_surface()
    {
        // ±6 µm of dome at a 5 µm step: finer than the focus curve resolves, one surface.
        var z = Sweep(5);
        var sweep = Scores(z, Enumerable.Range(0, 16).Select(i => On(-46 + (12.0 * i / 15))).ToList(), seed: 13);
        var surface = Assert.Single(FocusSurfaceFinder.Find(z, sweep));
        Assert.InRange(surface.ZMicrometres, -43, -37);
        Assert.Equal(1.0, surface.ShareOfWindow);
    }

    [Fact]
    public void One_surface_is_one_surface_at_the_peak_of_its_curve()
    {
        var z = Sweep(20);
        var sweep = Scores(z, Enumerable.Range(0, 16).Select(i => On(-63, 0.05 + (0.01 * i))).ToList(), seed: 7);
        var surface = Assert.Single(FocusSurfaceFinder.Find(z, sweep));
        Assert.InRange(surface.ZMicrometres, -66, -60);
        Assert.Equal(1.0, surface.ShareOfWindow);
    }

    [Fact]
    public void Tiles_without_texture_or_whose_peak_is_at_an_end_of_the_sweep_name_no_surface()
    {
        var z = Sweep(20);
        // A bare holder in noisy frames (±5 %, what a 32 px tile's score carries): the noise is no peak.
        foreach (var seed in Enumerable.Range(20, 10))
        {
            Assert.Empty(FocusSurfaceFinder.Find(z, Scores(z, Repeat(Bare, 36).ToList(), seed, noise: 0.05)));
        }
        // The same noise on textured tiles still leaves their surface.
        var noisy = Assert.Single(FocusSurfaceFinder.Find(z, Scores(z, Repeat(On(-20), 36).ToList(), seed: 9, noise: 0.05)));
        Assert.InRange(noisy.ZMicrometres, -26, -14);
        // Everything sharpest at or past the top of the sweep: no peak inside it to stand on.
        Assert.Empty(FocusSurfaceFinder.Find(z, Scores(z, Repeat(On(260), 9).ToList(), seed: 6)));
        // A surface nearest fewer than the minimum share of tiles is not reported; the one on the rest is.
        var surface = Assert.Single(FocusSurfaceFinder.Find(z, Scores(z, [.. Repeat(On(-100), 19), On(60)], seed: 8)));
        Assert.Equal(0.95, surface.ShareOfWindow, 1e-9);
    }

    [Fact]
    public void Scores_that_do_not_match_the_sweep_are_refused_by_name()
    {
        var z = Sweep(20);
        var sweep = Scores(z, [On(-40)], seed: 1);
        Assert.Contains("20 rows of tile scores for 21 sweep samples", Assert.Throws<ArgumentException>(() => FocusSurfaceFinder.Find(z, sweep.Skip(1).ToList())).Message, StringComparison.Ordinal);
        var ragged = sweep.Select((row, i) => i == 3 ? new double[2] : row).ToList();
        Assert.Contains("the same, non-empty set of tiles", Assert.Throws<ArgumentException>(() => FocusSurfaceFinder.Find(z, ragged)).Message, StringComparison.Ordinal);
        Assert.Contains("must rise", Assert.Throws<ArgumentException>(() => FocusSurfaceFinder.Find(z.Reverse().ToList(), sweep)).Message, StringComparison.Ordinal);
        var uneven = z.Select((at, i) => i == 0 ? at + 19.999 : at).ToList();
        Assert.Contains("must rise by an even step", Assert.Throws<ArgumentException>(() => FocusSurfaceFinder.Find(uneven, sweep)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => FocusSurfaceFinder.Find(z, sweep, minimumShare: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FocusSurfaceFinder.Find(z, sweep, minimumShare: double.NaN));
    }
}
