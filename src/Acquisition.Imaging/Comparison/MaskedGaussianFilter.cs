using OpenCvSharp;

namespace Acquisition.Imaging.Comparison;

/// <summary>
/// The ISO 16610-21 Gaussian profile filter applied to areal data with a mask, by normalised convolution: the
/// filtered height is the Gaussian-weighted mean of the valid neighbours only (blur(h·m) / blur(m)), so missing
/// points neither pull the result towards zero nor leak into it, and invalid points stay invalid.
/// </summary>
public static class MaskedGaussianFilter
{
    /// <summary>
    /// The standard deviation of the ISO Gaussian weighting function whose transmission is 50 % at the cut-off
    /// wavelength: σ = λc·√(ln 2 / 2π²) ≈ 0.187·λc.
    /// </summary>
    public static double SigmaForCutoff(double cutoffMicrometres) => cutoffMicrometres * Math.Sqrt(Math.Log(2) / (2 * Math.PI * Math.PI));

    /// <summary>The long-wavelength part of the surface: wavelengths above <paramref name="cutoffMicrometres"/> pass.</summary>
    public static MaskedHeightMap LowPass(MaskedHeightMap map, double cutoffMicrometres)
    {
        ArgumentNullException.ThrowIfNull(map);
        RequirePositive(cutoffMicrometres, nameof(cutoffMicrometres));
        var (values, weights) = map.ToMats();
        using (values)
        using (weights)
        {
            return Filtered(values, weights, weights, SigmaForCutoff(cutoffMicrometres) / map.PixelSizeMicrometres, map.PixelSizeMicrometres);
        }
    }

    /// <summary>
    /// The band between the cut-offs: the low-pass at <paramref name="shortCutoffMicrometres"/> (removes noise and
    /// detail finer than it) less the low-pass at <paramref name="longCutoffMicrometres"/> (removes waviness and
    /// what form removal left).
    /// </summary>
    public static MaskedHeightMap BandPass(MaskedHeightMap map, double shortCutoffMicrometres, double longCutoffMicrometres)
    {
        ArgumentNullException.ThrowIfNull(map);
        RequirePositive(shortCutoffMicrometres, nameof(shortCutoffMicrometres));
        RequirePositive(longCutoffMicrometres, nameof(longCutoffMicrometres));
        if (shortCutoffMicrometres >= longCutoffMicrometres)
        {
            throw new ArgumentException($"The short cut-off ({shortCutoffMicrometres} µm) must be below the long one ({longCutoffMicrometres} µm).");
        }
        var (values, weights) = map.ToMats();
        using (values)
        using (weights)
        {
            var fine = Filtered(values, weights, weights, SigmaForCutoff(shortCutoffMicrometres) / map.PixelSizeMicrometres, map.PixelSizeMicrometres);
            var coarse = Filtered(values, weights, weights, SigmaForCutoff(longCutoffMicrometres) / map.PixelSizeMicrometres, map.PixelSizeMicrometres);
            var f = fine.HeightsMicrometres;
            var c = coarse.HeightsMicrometres;
            var result = new float[f.Length];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = f[i] - c[i];
            }
            return new MaskedHeightMap(map.Width, map.Height, map.PixelSizeMicrometres, result);
        }
    }

    private static MaskedHeightMap Filtered(Mat values, Mat weights, Mat keep, double sigmaPixels, double pixelSize)
    {
        using var blurredValues = Blur(values, sigmaPixels);
        using var blurredWeights = Blur(weights, sigmaPixels);
        // Only points that were valid get a value: the filter must not invent heights in holes.
        using var masked = new Mat();
        Cv2.Multiply(blurredWeights, keep, masked);
        return MaskedHeightMap.FromWeighted(blurredValues, masked, 1e-6, pixelSize);
    }

    /// <summary>
    /// A Gaussian blur with zeros outside the image. Wide kernels (hundreds of pixels for a 500 µm cut-off at 2.5 µm)
    /// run on a block-averaged copy and are interpolated back: the result is smooth at that scale, so this changes it
    /// by far less than the heights' own noise, at a small fraction of the cost.
    /// </summary>
    internal static Mat Blur(Mat source, double sigmaPixels)
    {
        var result = new Mat();
        if (sigmaPixels <= 8)
        {
            Cv2.GaussianBlur(source, result, new Size(0, 0), sigmaPixels, sigmaPixels, BorderTypes.Constant);
            return result;
        }
        var factor = (int)Math.Floor(sigmaPixels / 3);
        var paddedWidth = (source.Cols + factor - 1) / factor * factor;
        var paddedHeight = (source.Rows + factor - 1) / factor * factor;
        using var padded = new Mat();
        Cv2.CopyMakeBorder(source, padded, 0, paddedHeight - source.Rows, 0, paddedWidth - source.Cols, BorderTypes.Constant, Scalar.All(0));
        using var small = new Mat();
        Cv2.Resize(padded, small, new Size(paddedWidth / factor, paddedHeight / factor), 0, 0, InterpolationFlags.Area);
        // Block averaging (variance f²/12) and linear interpolation back (f²/6) widen the kernel; take that off.
        var sigmaSmall = Math.Sqrt(Math.Max((sigmaPixels * sigmaPixels) - (factor * factor / 4.0), 0.25)) / factor;
        using var smallBlurred = new Mat();
        Cv2.GaussianBlur(small, smallBlurred, new Size(0, 0), sigmaSmall, sigmaSmall, BorderTypes.Constant);
        using var up = new Mat();
        Cv2.Resize(smallBlurred, up, new Size(paddedWidth, paddedHeight), 0, 0, InterpolationFlags.Linear);
        using var roi = new Mat(up, new Rect(0, 0, source.Cols, source.Rows));
        roi.CopyTo(result);
        return result;
    }

    private static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "A cut-off must be a positive number of micrometres.");
        }
    }
}
