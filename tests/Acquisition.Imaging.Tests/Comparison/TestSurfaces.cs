using Acquisition.Imaging.Comparison;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests.Comparison;

/// <summary>Synthetic breech-face-like surfaces: band-limited random relief inside an annulus (NaN outside and in the hole).</summary>
internal static class TestSurfaces
{
    /// <summary>Random relief (about 1 µm RMS, correlation length ≈ 4 px) on a size×size grid, no mask.</summary>
    public static float[] Relief(int size, int seed, double correlationPixels = 4)
    {
        var random = new Random(seed);
        using var noise = new Mat(size, size, MatType.CV_32FC1);
        var values = new float[size * size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
        System.Runtime.InteropServices.Marshal.Copy(values, 0, noise.Data, values.Length);
        Cv2.GaussianBlur(noise, noise, new Size(0, 0), correlationPixels);
        Cv2.MeanStdDev(noise, out _, out var sd);
        Cv2.Multiply(noise, new Scalar(1 / sd.Val0), noise);
        return MaskedHeightMapTestAccess.Floats(noise);
    }

    /// <summary>The relief masked to an annulus centred in the grid (radii in pixels).</summary>
    public static MaskedHeightMap Annulus(float[] relief, int size, double pixelSize, double outerPixels, double innerPixels)
    {
        var heights = (float[])relief.Clone();
        var c = (size - 1) / 2.0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var r = Math.Sqrt(((x - c) * (x - c)) + ((y - c) * (y - c)));
                if (r > outerPixels || r < innerPixels)
                {
                    heights[x + (y * size)] = float.NaN;
                }
            }
        }
        return new MaskedHeightMap(size, size, pixelSize, heights);
    }

    /// <summary>
    /// <paramref name="map"/> rotated by <paramref name="degrees"/> (counter-clockwise as displayed) about its centre
    /// and shifted by (dx, dy) pixels, masks included, on a grid of the same size.
    /// </summary>
    public static MaskedHeightMap RotatedShifted(MaskedHeightMap map, double degrees, double dx, double dy)
    {
        var values = new float[map.Width * map.Height];
        var weights = new float[values.Length];
        var h = map.HeightsMicrometres;
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsNaN(h[i]))
            {
                values[i] = h[i];
                weights[i] = 1;
            }
        }
        using var v = Mat.FromPixelData(map.Height, map.Width, MatType.CV_32FC1, values);
        using var w = Mat.FromPixelData(map.Height, map.Width, MatType.CV_32FC1, weights);
        using var m = Cv2.GetRotationMatrix2D(new Point2f((map.Width - 1) / 2f, (map.Height - 1) / 2f), degrees, 1);
        m.Set(0, 2, m.At<double>(0, 2) + dx);
        m.Set(1, 2, m.At<double>(1, 2) + dy);
        using var rv = new Mat();
        using var rw = new Mat();
        Cv2.WarpAffine(v, rv, m, v.Size(), InterpolationFlags.Cubic, BorderTypes.Constant, Scalar.All(0));
        Cv2.WarpAffine(w, rw, m, w.Size(), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        var outValues = MaskedHeightMapTestAccess.Floats(rv);
        var outWeights = MaskedHeightMapTestAccess.Floats(rw);
        var result = new float[outValues.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = outWeights[i] > 0.999f ? outValues[i] : float.NaN;
        }
        return new MaskedHeightMap(map.Width, map.Height, map.PixelSizeMicrometres, result);
    }
}
