using Acquisition.Imaging.Comparison;

namespace Acquisition.Imaging.Tests.Comparison;

public sealed class PreparationTests
{
    [Fact]
    public void Quadratic_form_removal_leaves_the_texture_and_keeps_the_holes()
    {
        const int size = 120;
        var relief = TestSurfaces.Relief(size, 11);
        var map = TestSurfaces.Annulus(relief, size, 2.5, 55, 15);
        var formed = map.HeightsMicrometres.ToArray();
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var i = x + (y * size);
                if (!float.IsNaN(formed[i]))
                {
                    // Tilt and dome of tens of micrometres, much larger than the 1 µm texture.
                    formed[i] += (float)(12 + (0.3 * x) - (0.2 * y) + (0.004 * (x - 60) * (x - 60)) + (0.003 * (y - 50) * (y - 50)));
                }
            }
        }

        var removed = FormRemoval.RemovePolynomial(new MaskedHeightMap(size, size, 2.5, formed), 2);
        // Least squares is linear: removing the form from texture + quadratic gives what removing it from the texture
        // alone gives, to rounding, however large the quadratic.
        var textureOnly = FormRemoval.RemovePolynomial(map, 2);

        Assert.Equal(map.ValidCount, removed.ValidCount);
        double worst = 0, rms = 0;
        for (var i = 0; i < formed.Length; i++)
        {
            Assert.Equal(float.IsNaN(map.HeightsMicrometres[i]), float.IsNaN(removed.HeightsMicrometres[i]));
            if (!float.IsNaN(removed.HeightsMicrometres[i]))
            {
                worst = Math.Max(worst, Math.Abs(removed.HeightsMicrometres[i] - textureOnly.HeightsMicrometres[i]));
                rms += removed.HeightsMicrometres[i] * (double)removed.HeightsMicrometres[i];
            }
        }
        Assert.True(worst < 2e-3, $"form removal differs by up to {worst:0.0000} µm");
        // What is left is the ~1 µm texture, not the tens of micrometres of form.
        Assert.InRange(Math.Sqrt(rms / removed.ValidCount), 0.7, 1.3);
    }

    [Fact]
    public void The_masked_filters_neither_invent_heights_in_holes_nor_feel_what_they_held()
    {
        const int size = 160;
        var heights = new float[size * size];
        var wild = new float[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var i = x + (y * size);
                var hole = (x / 20 + y / 20) % 3 == 0;
                heights[i] = hole ? float.NaN : 5f;
                wild[i] = hole ? float.NaN : 5f;
            }
        }
        var plateau = new MaskedHeightMap(size, size, 2.5, heights);

        var low = MaskedGaussianFilter.LowPass(plateau, 500);
        var band = MaskedGaussianFilter.BandPass(plateau, 16, 500);

        for (var i = 0; i < heights.Length; i++)
        {
            if (float.IsNaN(heights[i]))
            {
                Assert.True(float.IsNaN(low.HeightsMicrometres[i]) && float.IsNaN(band.HeightsMicrometres[i]), "a hole stays a hole");
            }
            else
            {
                // Normalised convolution: a constant surface stays that constant right up to the holes' edges.
                Assert.Equal(5f, low.HeightsMicrometres[i], 1e-3f);
                Assert.Equal(0f, band.HeightsMicrometres[i], 1e-3f);
            }
        }
    }

    [Fact]
    public void The_band_pass_keeps_wavelengths_inside_the_band_and_removes_those_outside()
    {
        const int size = 400;
        const double pixel = 2.5;
        double Amplitude(double wavelength)
        {
            var heights = new float[size * size];
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    heights[x + (y * size)] = (float)Math.Sin(2 * Math.PI * x * pixel / wavelength);
                }
            }
            var band = MaskedGaussianFilter.BandPass(new MaskedHeightMap(size, size, pixel, heights), 16, 500);
            // RMS in the middle, away from the edges, × √2 = the sine's amplitude.
            double sum = 0;
            var n = 0;
            for (var y = 150; y < 250; y++)
            {
                for (var x = 150; x < 250; x++)
                {
                    sum += band[x, y] * (double)band[x, y];
                    n++;
                }
            }
            return Math.Sqrt(2 * sum / n);
        }

        Assert.InRange(Amplitude(80), 0.9, 1.02);
        Assert.InRange(Amplitude(16), 0.4, 0.6);
        Assert.True(Amplitude(6) < 0.03);
        Assert.True(Amplitude(2000) < 0.1);
    }

    [Fact]
    public void Resampling_gives_the_exact_pixel_size_and_keeps_the_mask_edge()
    {
        const int size = 250;
        var heights = new float[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                heights[x + (y * size)] = x < 125 ? float.NaN : (float)(0.1 * x);
            }
        }
        var resampled = HeightMapResampling.Resample(new MaskedHeightMap(size, size, 2.5, heights), 6.25);

        Assert.Equal(6.25, resampled.PixelSizeMicrometres);
        Assert.Equal(100, resampled.Width);
        for (var x = 0; x < resampled.Width; x++)
        {
            // New point x sits at old coordinate (x + ½)·2.5 − ½.
            var old = ((x + 0.5) * 2.5) - 0.5;
            var h = resampled[x, 50];
            if (old < 124.5)
            {
                Assert.True(float.IsNaN(h), $"x = {x} (old {old}) should be invalid");
            }
            else if (old >= 125)
            {
                Assert.Equal(0.1 * old, h, 1e-3);
            }
        }
    }

    [Fact]
    public void Prepare_runs_form_removal_band_pass_and_resampling_and_crops_to_the_valid_points()
    {
        const int size = 500;
        var map = TestSurfaces.Annulus(TestSurfaces.Relief(size, 12, correlationPixels: 6), size, 2.5, 200, 60);
        var prepared = SurfaceCorrelation.Prepare(map);
        Assert.Equal(6.25, prepared.PixelSizeMicrometres);
        // 400 px at 2.5 µm = 1000 µm → 160 points at 6.25 µm.
        Assert.InRange(prepared.Width, 158, 162);
        Assert.InRange(prepared.ValidCount, 0.8 * Math.PI * (80 * 80 - 24 * 24), 1.1 * Math.PI * (80 * 80 - 24 * 24));
    }
}
