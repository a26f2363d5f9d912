using Acquisition.Imaging.Comparison;
using Xunit.Abstractions;

namespace Acquisition.Imaging.Tests.Comparison;

public sealed class SurfaceCorrelationTests(ITestOutputHelper output)
{
    private const int Size = 200;
    private const double Pixel = 6.25;

    // Search only: these surfaces are already at 6.25 µm and need no form removal or filtering.
    private static MaskedHeightMap Breech(int seed) => TestSurfaces.Annulus(TestSurfaces.Relief(Size, seed), Size, Pixel, 90, 25);

    [Theory]
    [InlineData(37.0, 6.0, -4.0)]
    [InlineData(-121.5, -9.0, 3.0)]
    [InlineData(178.0, 0.0, 0.0)]
    public void A_rotated_and_shifted_copy_correlates_fully_at_the_inverse_rotation(double degrees, double dx, double dy)
    {
        var reference = Breech(1);
        var moving = TestSurfaces.RotatedShifted(reference, degrees, dx, dy);

        var result = SurfaceCorrelation.Search(reference, moving.CropToValid());
        output.WriteLine(result.ToString());

        Assert.True(result.Ccf > 0.95, $"CCF {result.Ccf:0.000}");
        // Undoing the rotation takes the opposite angle.
        var angleError = Math.Abs(Math.IEEERemainder(result.RotationDegrees + degrees, 360));
        Assert.True(angleError <= 0.5, $"found {result.RotationDegrees}°, expected {-degrees}°");
        Assert.True(result.OverlapFraction > 0.95);
        Assert.True(result.AnglesEvaluated < 360 / 0.25 / 4, $"{result.AnglesEvaluated} angles: the search must not scan the full circle at the finest step");
    }

    [Fact]
    public void The_shift_is_reported_in_micrometres_from_centre_to_centre()
    {
        var reference = Breech(2);
        // The same grid, shifted 8 px right and 5 px down: its centre sits 8, 5 px from the reference's when aligned,
        // but the moving map's content is shifted, so aligning it means moving it back.
        var moving = TestSurfaces.RotatedShifted(reference, 0, 8, 5);

        var result = SurfaceCorrelation.Search(reference, moving);
        output.WriteLine(result.ToString());

        Assert.True(result.Ccf > 0.99);
        Assert.Equal(0, result.RotationDegrees, 0.3);
        Assert.Equal(-8 * Pixel, result.ShiftXMicrometres, 1e-6);
        Assert.Equal(-5 * Pixel, result.ShiftYMicrometres, 1e-6);
    }

    [Fact]
    public void Unrelated_surfaces_correlate_weakly()
    {
        var result = SurfaceCorrelation.Search(Breech(3), Breech(4));
        var self = SurfaceCorrelation.Search(Breech(3), TestSurfaces.RotatedShifted(Breech(3), 50, 2, 2));
        Assert.True(self.Ccf > 2 * result.Ccf);
        output.WriteLine(result.ToString());
        // The best of ~10⁷ poses of two independent patches of a few hundred correlation cells each is not zero.
        Assert.True(result.Ccf < 0.5, $"CCF {result.Ccf:0.000} between independent surfaces");
    }

    [Fact]
    public void The_overlap_floor_rejects_a_match_on_a_small_overlap()
    {
        // Two windows of one surface that share only a strip: 30 % of the smaller area.
        var relief = TestSurfaces.Relief(300, 5);
        var left = Window(relief, 300, 0, 0, 160, 160);
        var right = Window(relief, 300, 112, 0, 160, 160);

        var strict = SurfaceCorrelation.Search(left, right);
        var lenient = SurfaceCorrelation.Search(left, right, new CorrelationSettings { MinOverlapFraction = 0.25 });
        output.WriteLine($"floor 50 %: {strict}; floor 25 %: {lenient}");

        Assert.True(lenient.Ccf > 0.95, "with a lower floor the true match (30 % overlap) is found");
        Assert.True(Math.Abs(lenient.ShiftXMicrometres - (112 * Pixel)) < 1e-6);
        Assert.True(strict.OverlapFraction >= 0.5);
        Assert.True(strict.Ccf < 0.5, $"with the 50 % floor the 30 % match must not count (CCF {strict.Ccf:0.000})");
    }

    [Fact]
    public void Invalid_points_take_no_part_whatever_they_held()
    {
        var reference = Breech(6);
        var moving = TestSurfaces.RotatedShifted(reference, 20, 3, 1);
        // Holes in the moving map: the same result whether the heights under them were wild or absent.
        var heights = moving.HeightsMicrometres.ToArray();
        var random = new Random(9);
        for (var i = 0; i < heights.Length; i++)
        {
            if (random.NextDouble() < 0.15)
            {
                heights[i] = float.NaN;
            }
        }
        var holed = new MaskedHeightMap(moving.Width, moving.Height, Pixel, heights);

        var result = SurfaceCorrelation.Search(reference, holed);
        output.WriteLine(result.ToString());
        Assert.True(result.Ccf > 0.9, $"CCF {result.Ccf:0.000}: 15 % scattered holes must not break the match");
        Assert.Equal(-20, result.RotationDegrees, 0.5);
    }

    [Fact]
    public void Maps_at_different_pixel_sizes_are_refused()
    {
        var a = Breech(7);
        var b = new MaskedHeightMap(a.Width, a.Height, 2.5, a.HeightsMicrometres.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => SurfaceCorrelation.Search(a, b));
        Assert.Contains("pixel sizes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_name_every_invalid_value()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CorrelationSettings
        {
            FormDegree = 7,
            MinOverlapFraction = 0,
            SearchLevels = [(4, 3.0), (2, 5.0)],
        }.Validate());
        Assert.Contains("FormDegree", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MinOverlapFraction", ex.Message, StringComparison.Ordinal);
        Assert.Contains("finer", ex.Message, StringComparison.Ordinal);
    }

    private static MaskedHeightMap Window(float[] relief, int size, int x0, int y0, int width, int height)
    {
        var heights = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            Array.Copy(relief, x0 + ((y0 + y) * size), heights, y * width, width);
        }
        return new MaskedHeightMap(width, height, Pixel, heights);
    }
}
