using System.Numerics;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// How much of a slice's gradient energy (what Tenengrad measures) survives its registration warp, per output column
/// or row. Resampling at a sub-pixel phase t is a low-pass filter whose strength depends on t: the energy of
/// Σₖ wₖ g(x + k) is E·Σₖ Σₗ wₖ wₗ ρ(|k − l|), ρ the gradient's autocorrelation at lag |k − l| (ρ(0) = 1). On white
/// texture (ρ(1) = 1/3 for the 3×3 Sobel pair) bilinear at a half-pixel phase keeps two thirds of the energy; on
/// smooth texture (ρ(1) near 1) almost all. The focus measure is taken before the warp (so that the depth is not
/// biased by the loss), which means it cannot see it; the fusion multiplies it in, so that of two slices about equally
/// in focus the one the warp blurs less supplies the fine detail. The two axes are treated as separable (the product
/// of the x and y gains; white texture half a pixel off on both axes keeps about 0.42 where the product says 0.44),
/// and ρ is one figure per slice, measured on tiles spread over the frame, not per region.
/// </summary>
internal static class WarpDetailGain
{
    private const int MaxLag = 3;

    /// <summary>
    /// Lags 0–3 of the autocorrelation of the gradient along x and along y (normalised, lag 0 = 1), pooled over
    /// <paramref name="tiles"/> × <paramref name="tiles"/> tiles of <paramref name="tilePixels"/> spread evenly over
    /// the slice, so that one figure speaks for the whole frame rather than for its centre (a casing's centre is the
    /// firing-pin impression, often in another focus state than the breech face around it).
    /// </summary>
    public static (double[] AlongX, double[] AlongY) GradientAutocorrelation(Mat slice, int tilePixels, int tiles, Mat scratchX, Mat scratchY)
    {
        int w = Math.Min(tilePixels, slice.Width), h = Math.Min(tilePixels, slice.Height);
        var sumsX = new double[MaxLag + 1];
        var sumsY = new double[MaxLag + 1];
        for (int ty = 0; ty < tiles; ty++)
        {
            for (int tx = 0; tx < tiles; tx++)
            {
                int x0 = tiles == 1 ? (slice.Width - w) / 2 : (int)((long)(slice.Width - w) * tx / (tiles - 1));
                int y0 = tiles == 1 ? (slice.Height - h) / 2 : (int)((long)(slice.Height - h) * ty / (tiles - 1));
                using var tile = new Mat(slice, new Rect(x0, y0, w, h));
                Cv2.Sobel(tile, scratchX, MatType.CV_32F, 1, 0);
                Cv2.Sobel(tile, scratchY, MatType.CV_32F, 0, 1);
                AddLags(scratchX, scratchY, sumsX, sumsY);
            }
        }
        return (Normalised(sumsX), Normalised(sumsY));
    }

    /// <summary>Adds Σ g(x, y)·g(x + lag, y) (along x) and Σ g(x, y)·g(x, y + lag) (along y) of both gradients, lags 0–3.</summary>
    private static unsafe void AddLags(Mat gx, Mat gy, double[] alongX, double[] alongY)
    {
        int w = gx.Width, h = gx.Height;
        int n = w - MaxLag;
        foreach (var g in new[] { gx, gy })
        {
            var data = (byte*)g.Data;
            long step = g.Step();
            // Both axes over the same pixels (the first w − 3 columns of the first h − 3 rows), as lag 0 does. Each
            // row's sums are taken in float vectors (≤ 93 products of gradients) and added up in double.
            for (int y = 0; y < h - MaxLag; y++)
            {
                var row = new ReadOnlySpan<float>((float*)(data + (y * step)), w);
                var below1 = new ReadOnlySpan<float>((float*)(data + ((y + 1) * step)), w);
                var below2 = new ReadOnlySpan<float>((float*)(data + ((y + 2) * step)), w);
                var below3 = new ReadOnlySpan<float>((float*)(data + ((y + 3) * step)), w);
                var v = row[..n];
                alongX[0] += Dot(v, v);
                alongX[1] += Dot(v, row.Slice(1, n));
                alongX[2] += Dot(v, row.Slice(2, n));
                alongX[3] += Dot(v, row.Slice(3, n));
                alongY[0] += Dot(v, v);
                alongY[1] += Dot(v, below1[..n]);
                alongY[2] += Dot(v, below2[..n]);
                alongY[3] += Dot(v, below3[..n]);
            }
        }
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        }
        double total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }
        return total;
    }

    /// <summary>Sums over lags → autocorrelation coefficients; a slice without gradient counts as losing nothing.</summary>
    private static double[] Normalised(double[] sums) =>
        sums[0] > 0 ? sums.Select(v => v / sums[0]).ToArray() : [1, 1, 1, 1];

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
