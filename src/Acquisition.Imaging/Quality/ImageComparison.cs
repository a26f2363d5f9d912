using OpenCvSharp;

namespace Acquisition.Imaging.Quality;

/// <summary>Comparisons against ground truth, used by the tests and the benchmarks.</summary>
public static class ImageComparison
{
    /// <summary>PSNR in dB of two single-channel images of the same size, each scaled by its own full scale.</summary>
    public static double Psnr(Mat image, double imageFullScale, Mat reference, double referenceFullScale, Mat? mask = null)
    {
        using var a = ToUnit(image, imageFullScale);
        using var b = ToUnit(reference, referenceFullScale);
        RequireSameSize(a, b);
        using var diff = new Mat();
        Cv2.Subtract(a, b, diff);
        Cv2.Multiply(diff, diff, diff);
        double mse = mask is null ? Cv2.Mean(diff).Val0 : Cv2.Mean(diff, mask).Val0;
        return mse <= 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
    }

    /// <summary>Mean SSIM (Wang et al. 2004: Gaussian window σ = 1.5, K1 = 0.01, K2 = 0.03) on a 0–1 scale.</summary>
    public static double Ssim(Mat image, double imageFullScale, Mat reference, double referenceFullScale, Mat? mask = null)
    {
        using var x = ToUnit(image, imageFullScale);
        using var y = ToUnit(reference, referenceFullScale);
        RequireSameSize(x, y);
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        var window = new Size(11, 11);
        using var mx = new Mat();
        using var my = new Mat();
        Cv2.GaussianBlur(x, mx, window, 1.5);
        Cv2.GaussianBlur(y, my, window, 1.5);
        using var xx = new Mat();
        using var yy = new Mat();
        using var xy = new Mat();
        Cv2.Multiply(x, x, xx);
        Cv2.Multiply(y, y, yy);
        Cv2.Multiply(x, y, xy);
        using var sxx = new Mat();
        using var syy = new Mat();
        using var sxy = new Mat();
        Cv2.GaussianBlur(xx, sxx, window, 1.5);
        Cv2.GaussianBlur(yy, syy, window, 1.5);
        Cv2.GaussianBlur(xy, sxy, window, 1.5);
        using var mxmy = new Mat();
        using var mx2 = new Mat();
        using var my2 = new Mat();
        Cv2.Multiply(mx, my, mxmy);
        Cv2.Multiply(mx, mx, mx2);
        Cv2.Multiply(my, my, my2);
        // numerator = (2·μxμy + C1)(2·σxy + C2); denominator = (μx² + μy² + C1)(σx² + σy² + C2)
        using var a = new Mat();
        using var b = new Mat();
        using var numerator = new Mat();
        mxmy.ConvertTo(a, MatType.CV_64F, 2, c1);
        Cv2.Subtract(sxy, mxmy, b);
        b.ConvertTo(b, MatType.CV_64F, 2, c2);
        Cv2.Multiply(a, b, numerator);
        using var denominator = new Mat();
        Cv2.Add(mx2, my2, a);
        Cv2.Add(a, new Scalar(c1), a);
        Cv2.Add(sxx, syy, b);
        Cv2.Subtract(b, mx2, b);
        Cv2.Subtract(b, my2, b);
        Cv2.Add(b, new Scalar(c2), b);
        Cv2.Multiply(a, b, denominator);
        using var map = new Mat();
        Cv2.Divide(numerator, denominator, map);
        return mask is null ? Cv2.Mean(map).Val0 : Cv2.Mean(map, mask).Val0;
    }

    /// <summary>
    /// RMS height error (µm) over pixels valid in <paramref name="measured"/> (and inside <paramref name="mask"/>),
    /// with only the mean offset removed, and the fraction of the mask left invalid.
    /// </summary>
    public static unsafe (double RmsMicrometres, double InvalidFraction) HeightError(Mat measured, Mat truth, Mat? mask = null)
    {
        RequireSameSize(measured, truth);
        if (measured.Type() != MatType.CV_32FC1 || truth.Type() != MatType.CV_32FC1)
        {
            throw new ArgumentException("Height maps must be CV_32FC1.");
        }
        long inMask = 0, valid = 0;
        double sum = 0, sumSq = 0;
        int rows = measured.Height, cols = measured.Width;
        for (int y = 0; y < rows; y++)
        {
            var pm = (float*)measured.Ptr(y);
            var pt = (float*)truth.Ptr(y);
            var pk = mask is null ? null : (byte*)mask.Ptr(y);
            for (int x = 0; x < cols; x++)
            {
                if (pk is not null && pk[x] == 0)
                {
                    continue;
                }
                inMask++;
                if (float.IsNaN(pm[x]) || float.IsNaN(pt[x]))
                {
                    continue;
                }
                double d = pm[x] - pt[x];
                valid++;
                sum += d;
                sumSq += d * d;
            }
        }
        if (valid == 0)
        {
            return (double.NaN, 1);
        }
        double mean = sum / valid;
        return (Math.Sqrt(Math.Max(sumSq / valid - mean * mean, 0)), 1 - valid / (double)inMask);
    }

    private static Mat ToUnit(Mat image, double fullScale)
    {
        if (image.Channels() != 1)
        {
            throw new ArgumentException("Images must be single-channel.");
        }
        var f = new Mat();
        image.ConvertTo(f, MatType.CV_64FC1, 1.0 / fullScale);
        return f;
    }

    private static void RequireSameSize(Mat a, Mat b)
    {
        if (a.Size() != b.Size())
        {
            throw new ArgumentException($"Images differ in size ({a.Width}×{a.Height} vs {b.Width}×{b.Height}).");
        }
    }
}
