using System.Numerics;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// How much of a slice's gradient energy (what Tenengrad measures) survives its registration warp, per output column
/// or row. Resampling at a sub-pixel phase t is a low-pass filter whose strength depends on t: the energy of
/// Σₖ wₖ g(x + k) is E·Σₖ Σₗ wₖ wₗ ρ(|k − l|), ρ the gradient's autocorrelation at lag |k − l| (ρ(0) = 1). On texture
/// at the pixel pitch (white: ρ(1) = 1/3 for the 3×3 Sobel pair) bilinear at a half-pixel phase keeps two thirds of
/// the energy; on smooth texture (ρ(1) near 1) almost all. The focus measure is taken before the warp (so that the depth is not biased by the loss), which means
/// it cannot see it; the fusion multiplies it in, so that of two slices about equally in focus the one the warp blurs
/// less supplies the fine detail.
/// </summary>
internal static class WarpDetailGain
{
    /// <summary>Lags 1–3 of the autocorrelation of the gradient along x and along y, on a central crop of the slice.</summary>
    public static (double[] AlongX, double[] AlongY) GradientAutocorrelation(Mat slice, int cropPixels, Mat scratchX, Mat scratchY)
    {
        int w = Math.Min(cropPixels, slice.Width), h = Math.Min(cropPixels, slice.Height);
        using var crop = new Mat(slice, new Rect((slice.Width - w) / 2, (slice.Height - h) / 2, w, h));
        Cv2.Sobel(crop, scratchX, MatType.CV_32F, 1, 0);
        Cv2.Sobel(crop, scratchY, MatType.CV_32F, 0, 1);
        return (Lags(scratchX, scratchY, alongX: true), Lags(scratchX, scratchY, alongX: false));
    }

    private static double[] Lags(Mat gx, Mat gy, bool alongX)
    {
        int w = gx.Width, h = gx.Height;
        var rho = new double[4];
        const int MaxLag = 3;
        var inner = alongX ? new Rect(0, 0, w - MaxLag, h) : new Rect(0, 0, w, h - MaxLag);
        double energy = 0;
        for (int lag = 0; lag <= MaxLag; lag++)
        {
            var shifted = alongX ? new Rect(lag, 0, w - MaxLag, h) : new Rect(0, lag, w, h - MaxLag);
            double sum = 0;
            foreach (var g in new[] { gx, gy })
            {
                using var a = new Mat(g, inner);
                using var b = new Mat(g, shifted);
                sum += a.Dot(b);
            }
            if (lag == 0)
            {
                energy = sum;
            }
            rho[lag] = energy > 0 ? sum / energy : 1;
        }
        return rho;
    }

    /// <summary>
    /// Fills <paramref name="gains"/>[i] with the gradient-energy gain of the 1-D interpolation that samples source
    /// position a·(i·step) + b, for every i.
    /// </summary>
    public static void Fill(Span<float> gains, double a, double b, int step, bool cubic, double[] rho)
    {
        for (int i = 0; i < gains.Length; i++)
        {
            double s = (a * i * step) + b;
            gains[i] = (float)At(s - Math.Floor(s), cubic, rho);
        }
    }

    /// <summary>Σₖ Σₗ wₖ wₗ ρ(|k − l|) for the taps of the interpolation at fraction <paramref name="t"/>.</summary>
    public static double At(double t, bool cubic, double[] rho)
    {
        Span<double> w = stackalloc double[4];
        if (cubic)
        {
            (w[0], w[1], w[2], w[3]) = AxisAlignedWarp.KeysWeights(t);
        }
        else
        {
            (w[0], w[1], w[2], w[3]) = (0, 1 - t, t, 0);
        }
        double gain = 0;
        for (int k = 0; k < 4; k++)
        {
            for (int l = 0; l < 4; l++)
            {
                gain += w[k] * w[l] * rho[Math.Abs(k - l)];
            }
        }
        return gain;
    }

    /// <summary>
    /// weighted(x, y) = focus(x, y) · gx[x] · gy[y], multiplied in that order (as <see cref="ConsistentSelection"/>
    /// does inside its vote), for the consistency windows too wide for it.
    /// </summary>
    public static unsafe void Apply(Mat focus, float[] gx, float[] gy, Mat weighted)
    {
        weighted.Create(focus.Size(), MatType.CV_32FC1);
        int width = focus.Width, height = focus.Height;
        for (int y = 0; y < height; y++)
        {
            var source = new ReadOnlySpan<float>((float*)focus.Ptr(y), width);
            var target = new Span<float>((float*)weighted.Ptr(y), width);
            float row = gy[y];
            int x = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var rowGain = new Vector<float>(row);
                for (; x <= width - Vector<float>.Count; x += Vector<float>.Count)
                {
                    (new Vector<float>(source[x..]) * new Vector<float>(gx, x) * rowGain).CopyTo(target[x..]);
                }
            }
            for (; x < width; x++)
            {
                target[x] = source[x] * gx[x] * row;
            }
        }
    }
}
