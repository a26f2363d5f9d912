using OpenCvSharp;

namespace Acquisition.Imaging.Comparison;

/// <summary>Resampling of masked height maps onto other square grids.</summary>
public static class HeightMapResampling
{
    /// <summary>
    /// The map on a grid of exactly <paramref name="pixelSizeMicrometres"/>, by bilinear interpolation of the valid
    /// neighbours (normalised by their weight); a new point is valid when at least half its interpolation weight
    /// falls on valid points. Both grids share the map's top-left edge: new point k sits at old coordinate
    /// (k + ½)·r − ½ (r = new / old spacing), as OpenCV's resize places it. Band-pass the map first when coarsening:
    /// this does not filter.
    /// </summary>
    public static MaskedHeightMap Resample(MaskedHeightMap map, double pixelSizeMicrometres)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!(pixelSizeMicrometres > 0) || double.IsInfinity(pixelSizeMicrometres))
        {
            throw new ArgumentOutOfRangeException(nameof(pixelSizeMicrometres), pixelSizeMicrometres, "The pixel size must be a positive number of micrometres.");
        }
        var ratio = pixelSizeMicrometres / map.PixelSizeMicrometres;
        var width = Math.Max(1, (int)Math.Floor(map.Width / ratio));
        var height = Math.Max(1, (int)Math.Floor(map.Height / ratio));
        var (values, weights) = map.ToMats();
        using (values)
        using (weights)
        {
            // Destination → source, pixel centres: x_src = (x_dst + ½)·r − ½.
            var offset = (0.5 * ratio) - 0.5;
            using var m = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { ratio, 0, offset, 0, ratio, offset });
            using var v = new Mat();
            using var w = new Mat();
            var flags = InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap;
            Cv2.WarpAffine(values, v, m, new Size(width, height), flags, BorderTypes.Constant, Scalar.All(0));
            Cv2.WarpAffine(weights, w, m, new Size(width, height), flags, BorderTypes.Constant, Scalar.All(0));
            return MaskedHeightMap.FromWeighted(v, w, 0.5, pixelSizeMicrometres);
        }
    }

    /// <summary>
    /// The map block-averaged by an integer <paramref name="factor"/> (valid points only; a block is valid when at
    /// least half of it is), for the coarse levels of a search.
    /// </summary>
    public static MaskedHeightMap Downscale(MaskedHeightMap map, int factor)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        if (factor == 1)
        {
            return map;
        }
        var width = (map.Width + factor - 1) / factor;
        var height = (map.Height + factor - 1) / factor;
        var (values, weights) = map.ToMats();
        using (values)
        using (weights)
        {
            using var pv = new Mat();
            using var pw = new Mat();
            Cv2.CopyMakeBorder(values, pv, 0, (height * factor) - map.Height, 0, (width * factor) - map.Width, BorderTypes.Constant, Scalar.All(0));
            Cv2.CopyMakeBorder(weights, pw, 0, (height * factor) - map.Height, 0, (width * factor) - map.Width, BorderTypes.Constant, Scalar.All(0));
            using var v = new Mat();
            using var w = new Mat();
            Cv2.Resize(pv, v, new Size(width, height), 0, 0, InterpolationFlags.Area);
            Cv2.Resize(pw, w, new Size(width, height), 0, 0, InterpolationFlags.Area);
            return MaskedHeightMap.FromWeighted(v, w, 0.5, map.PixelSizeMicrometres * factor);
        }
    }
}
