using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// Brings the half-resolution depth maps back to the frame size with the exact inverse geometry of pyrDown: output
/// pixel 2i sits on input pixel i, with pyrUp's kernel (⅛[1 6 1] on even, ½[1 1] on odd outputs, per axis).
/// Heights are interpolated by normalised convolution, so NaN never leaks into valid pixels, and a pixel is valid
/// only where most of its interpolation support (weight ≥ ½) was valid.
/// </summary>
/// <remarks>
/// One pass per output row: the vertical blend of height, validity weight and confidence into three half-width
/// rows, then the horizontal blend, the ratio and the interleaving of even and odd outputs, eight at a time. Three
/// full-size pyrUps and two full-size passes around them were about 60 % of Complete()'s CPU time.
/// </remarks>
internal static class DepthUpsampler
{
    public static unsafe (Mat Height, Mat Confidence, long ValidPixels) Upsample(Mat height, Mat confidence, Size size)
    {
        int hw = height.Width, hh = height.Height, fw = size.Width, fh = size.Height;
        var heightUp = new Mat(size, MatType.CV_32FC1);
        var confidenceUp = new Mat(size, MatType.CV_32FC1);
        int bands = Math.Clamp(fh / 64, 1, 4 * Environment.ProcessorCount);
        long valid = 0;
        Parallel.For(0, bands, () => 0L, (band, _, localValid) =>
        {
            // One spare column on each side holds the mirrored neighbour (reflect-101), so the horizontal blend
            // needs no border test; eight more on the right let the last vector read past the end harmlessly.
            int stride = hw + 10;
            var rows = new float[3 * stride];
            fixed (float* buffer = rows)
            {
                float* tf = buffer + 1, tw = tf + stride, tc = tw + stride;
                int y0 = (int)((long)fh * band / bands), y1 = (int)((long)fh * (band + 1) / bands);
                for (int y = y0; y < y1; y++)
                {
                    int i = y >> 1;
                    if ((y & 1) == 0)
                    {
                        BlendRows(height, confidence, BorderIndex.Reflect101(i - 1, hh), i, BorderIndex.Reflect101(i + 1, hh), 0.125f, 0.75f, 0.125f, tf, tw, tc, hw);
                    }
                    else
                    {
                        BlendRows(height, confidence, i, i, BorderIndex.Reflect101(i + 1, hh), 0f, 0.5f, 0.5f, tf, tw, tc, hw);
                    }
                    MirrorEnds(tf, hw);
                    MirrorEnds(tw, hw);
                    MirrorEnds(tc, hw);
                    localValid += HorizontalRow(tf, tw, tc, (float*)heightUp.Ptr(y), (float*)confidenceUp.Ptr(y), fw);
                }
            }
            return localValid;
        }, local => Interlocked.Add(ref valid, local));
        return (heightUp, confidenceUp, valid);
    }

    private static unsafe void MirrorEnds(float* row, int w)
    {
        row[-1] = row[BorderIndex.Reflect101(-1, w)];
        row[w] = row[BorderIndex.Reflect101(w, w)];
    }

    /// <summary>
    /// One vertical blend, weights <paramref name="first"/>, <paramref name="centre"/>, <paramref name="last"/> on
    /// rows a, b, c: of the height (NaN counted as 0 with weight 0), of its validity weight and of the confidence.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BlendRows(Mat height, Mat confidence, int a, int b, int c, float first, float centre, float last, float* tf, float* tw, float* tc, int w)
    {
        float* ha = (float*)height.Ptr(a), hb = (float*)height.Ptr(b), hc = (float*)height.Ptr(c);
        float* ca = (float*)confidence.Ptr(a), cb = (float*)confidence.Ptr(b), cc = (float*)confidence.Ptr(c);
        int x = 0;
        var v1 = Vector256.Create(first);
        var v2 = Vector256.Create(centre);
        var v3 = Vector256.Create(last);
        var ones = Vector256.Create(1f);
        for (; x + 8 <= w; x += 8)
        {
            var va = Vector256.Load(ha + x);
            var vb = Vector256.Load(hb + x);
            var vc = Vector256.Load(hc + x);
            // x == x is false only for NaN.
            var ma = Vector256.Equals(va, va);
            var mb = Vector256.Equals(vb, vb);
            var mc = Vector256.Equals(vc, vc);
            (v1 * (va & ma) + v2 * (vb & mb) + v3 * (vc & mc)).Store(tf + x);
            (v1 * (ones & ma) + v2 * (ones & mb) + v3 * (ones & mc)).Store(tw + x);
            (v1 * Vector256.Load(ca + x) + v2 * Vector256.Load(cb + x) + v3 * Vector256.Load(cc + x)).Store(tc + x);
        }
        for (; x < w; x++)
        {
            float va = ha[x], vb = hb[x], vc = hc[x];
            float wa = float.IsNaN(va) ? 0 : 1, wb = float.IsNaN(vb) ? 0 : 1, wc = float.IsNaN(vc) ? 0 : 1;
            tf[x] = first * (wa == 0 ? 0 : va) + centre * (wb == 0 ? 0 : vb) + last * (wc == 0 ? 0 : vc);
            tw[x] = first * wa + centre * wb + last * wc;
            tc[x] = first * ca[x] + centre * cb[x] + last * cc[x];
        }
    }

    /// <summary>
    /// The horizontal blend of one output row from the blended half-width rows: even outputs ⅛(t[k−1] + t[k+1]) +
    /// ¾t[k], odd outputs ½(t[k] + t[k+1]); height = blended height / blended weight where the weight is ≥ ½, else
    /// NaN. Returns the number of valid heights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int HorizontalRow(float* tf, float* tw, float* tc, float* height, float* confidence, int fw)
    {
        int valid = 0, x = 0;
        if (Avx.IsSupported)
        {
            var eighth = Vector256.Create(0.125f);
            var threeQuarters = Vector256.Create(0.75f);
            var half = Vector256.Create(0.5f);
            var nan = Vector256.Create(float.NaN);
            for (; x + 16 <= fw; x += 16)
            {
                int k = x >> 1;
                var (fe, fo) = EvenOdd(tf + k, eighth, threeQuarters, half);
                var (we, wo) = EvenOdd(tw + k, eighth, threeQuarters, half);
                var (ce, co) = EvenOdd(tc + k, eighth, threeQuarters, half);
                var okEven = Vector256.GreaterThanOrEqual(we, half);
                var okOdd = Vector256.GreaterThanOrEqual(wo, half);
                valid += BitOperations.PopCount(okEven.ExtractMostSignificantBits()) + BitOperations.PopCount(okOdd.ExtractMostSignificantBits());
                Interleave(Vector256.ConditionalSelect(okEven, fe / we, nan), Vector256.ConditionalSelect(okOdd, fo / wo, nan), height + x);
                Interleave(ce, co, confidence + x);
            }
        }
        for (; x < fw; x++)
        {
            int k = x >> 1;
            bool even = (x & 1) == 0;
            float f = even ? 0.125f * (tf[k - 1] + tf[k + 1]) + 0.75f * tf[k] : 0.5f * (tf[k] + tf[k + 1]);
            float w = even ? 0.125f * (tw[k - 1] + tw[k + 1]) + 0.75f * tw[k] : 0.5f * (tw[k] + tw[k + 1]);
            confidence[x] = even ? 0.125f * (tc[k - 1] + tc[k + 1]) + 0.75f * tc[k] : 0.5f * (tc[k] + tc[k + 1]);
            if (w >= 0.5f)
            {
                height[x] = f / w;
                valid++;
            }
            else
            {
                height[x] = float.NaN;
            }
        }
        return valid;
    }

    private static unsafe (Vector256<float> Even, Vector256<float> Odd) EvenOdd(float* t, Vector256<float> eighth, Vector256<float> threeQuarters, Vector256<float> half)
    {
        var left = Vector256.Load(t - 1);
        var centre = Vector256.Load(t);
        var right = Vector256.Load(t + 1);
        return (eighth * (left + right) + threeQuarters * centre, half * (centre + right));
    }

    /// <summary>Stores e0 o0 e1 o1 … e7 o7 (16 floats).</summary>
    private static unsafe void Interleave(Vector256<float> even, Vector256<float> odd, float* destination)
    {
        var low = Avx.UnpackLow(even, odd);
        var high = Avx.UnpackHigh(even, odd);
        Avx.Store(destination, Avx.Permute2x128(low, high, 0x20));
        Avx.Store(destination + 8, Avx.Permute2x128(low, high, 0x31));
    }
}
