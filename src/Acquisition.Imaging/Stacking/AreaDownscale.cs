using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// Area downscale by a whole factor straight from an 8- or 16-bit image to float: each output pixel is the mean of
/// its factor × factor block times a scale. The registration crop (1024 × 1024 px of a 2448 × 2048 slice into 256 × 256)
/// went through OpenCV's resize (and its thread pool) into an integer image and a float conversion, ≈ 0.4 ms CPU a
/// slice for 1 MB of input; this is one single-threaded pass, and it keeps the block mean unrounded.
/// </summary>
internal static class AreaDownscale
{
    /// <summary>
    /// <paramref name="destination"/> (CV_32FC1, source size / <paramref name="factor"/>) = block mean ×
    /// <paramref name="scale"/>. The source's sides must be multiples of the factor.
    /// </summary>
    public static void ToFloat(Mat source, int factor, Mat destination, double scale)
    {
        if (source.Channels() != 1 || (source.Depth() != MatType.CV_8U && source.Depth() != MatType.CV_16U))
        {
            throw new ArgumentException("The area downscale takes single-channel 8- or 16-bit images.", nameof(source));
        }
        if (factor < 1 || source.Width % factor != 0 || source.Height % factor != 0)
        {
            throw new ArgumentException($"A {source.Width}×{source.Height} image does not divide by {factor}.", nameof(factor));
        }
        // 8-bit blocks of up to 257 rows sum exactly in 16 bits per column; larger factors and 16-bit sources in 32.
        if (source.Depth() == MatType.CV_8U && factor == 4 && Avx2.IsSupported)
        {
            BytesBy4(source, destination, scale);
        }
        else if (source.Depth() == MatType.CV_8U && factor <= 257)
        {
            Downscale<byte, ushort>(source, factor, destination, scale);
        }
        else if (source.Depth() == MatType.CV_8U)
        {
            Downscale<byte, uint>(source, factor, destination, scale);
        }
        else
        {
            Downscale<ushort, uint>(source, factor, destination, scale);
        }
    }

    private static unsafe void Downscale<TSource, TSum>(Mat source, int factor, Mat destination, double scale)
        where TSource : unmanaged, IBinaryInteger<TSource>
        where TSum : unmanaged, IBinaryInteger<TSum>
    {
        int w = source.Width, ow = w / factor, oh = source.Height / factor;
        destination.Create(oh, ow, MatType.CV_32FC1);
        float gain = (float)(scale / ((double)factor * factor));
        var columns = new TSum[w];
        fixed (TSum* sums = columns)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                // Column sums of the block's rows (vectorised), then each output sums its factor columns.
                Array.Clear(columns);
                for (int dy = 0; dy < factor; dy++)
                {
                    AddRow((TSource*)source.Ptr(oy * factor + dy), sums, w);
                }
                float* o = (float*)destination.Ptr(oy);
                for (int ox = 0; ox < ow; ox++)
                {
                    uint total = 0;
                    TSum* block = sums + ox * factor;
                    for (int dx = 0; dx < factor; dx++)
                    {
                        total += uint.CreateTruncating(block[dx]);
                    }
                    o[ox] = total * gain;
                }
            }
        }
    }

    /// <summary>
    /// The registration's case (8-bit, factor 4), 8 outputs per step: pmaddubsw sums column pairs of each of the four
    /// rows, and pmaddwd the pairs of those sums, in block order.
    /// </summary>
    private static unsafe void BytesBy4(Mat source, Mat destination, double scale)
    {
        int w = source.Width, ow = w / 4, oh = source.Height / 4;
        destination.Create(oh, ow, MatType.CV_32FC1);
        float gain = (float)(scale / 16);
        var ones8 = Vector256.Create((sbyte)1);
        var ones16 = Vector256.Create((short)1);
        var vgain = Vector256.Create(gain);
        for (int oy = 0; oy < oh; oy++)
        {
            byte* r0 = (byte*)source.Ptr(4 * oy), r1 = (byte*)source.Ptr(4 * oy + 1), r2 = (byte*)source.Ptr(4 * oy + 2), r3 = (byte*)source.Ptr(4 * oy + 3);
            float* o = (float*)destination.Ptr(oy);
            int ox = 0;
            for (; 4 * ox + 32 <= w; ox += 8)
            {
                int x = 4 * ox;
                var pairs = Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r0 + x), ones8) + Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r1 + x), ones8)
                    + Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r2 + x), ones8) + Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r3 + x), ones8);
                var blocks = Avx2.MultiplyAddAdjacent(pairs, ones16);
                Avx.Store(o + ox, Avx.Multiply(Avx.ConvertToVector256Single(blocks), vgain));
            }
            for (; ox < ow; ox++)
            {
                int x = 4 * ox, total = 0;
                for (int dx = 0; dx < 4; dx++)
                {
                    total += r0[x + dx] + r1[x + dx] + r2[x + dx] + r3[x + dx];
                }
                o[ox] = total * gain;
            }
        }
    }

    private static unsafe void AddRow<TSource, TSum>(TSource* row, TSum* sums, int w)
        where TSource : unmanaged, IBinaryInteger<TSource>
        where TSum : unmanaged, IBinaryInteger<TSum>
    {
        int x = 0;
        if (typeof(TSource) == typeof(byte) && typeof(TSum) == typeof(ushort) && Vector.IsHardwareAccelerated)
        {
            byte* b = (byte*)row;
            ushort* s = (ushort*)sums;
            int lanes = Vector<byte>.Count;
            for (; x + lanes <= w; x += lanes)
            {
                Vector.Widen(Vector.Load(b + x), out var low, out var high);
                Vector.Store(Vector.Load(s + x) + low, s + x);
                Vector.Store(Vector.Load(s + x + lanes / 2) + high, s + x + lanes / 2);
            }
        }
        for (; x < w; x++)
        {
            sums[x] += TSum.CreateTruncating(row[x]);
        }
    }
}
