using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// One pyramid level's choice in the fusion: where the new slice's activity beats the running best in the majority
/// of a window × window neighbourhood (the consistency filter), the slice's pixels and activity replace the best ones.
/// OpenCV needed five passes for it (compare, box filter, threshold, two masked copies); this is two: the vote, then
/// per row the box count (a byte sum of the vote rows, then of neighbouring columns), the majority, the mask and the
/// copies, which skip every 8-pixel run the slice did not win (a slice wins only a band of the frame).
/// The result is the same as those passes': a box filter of a 0/255 vote thresholded above 127 is exactly a count
/// above half the window (the count times 255 / window² never lies within rounding of 127.5). Borders reflect
/// (BORDER_REFLECT_101), as OpenCV's box filter did.
/// </summary>
internal static class ConsistentSelection
{
    /// <summary>Widest window whose vote count (window²) fits the byte arithmetic.</summary>
    internal const int MaxWindowPixels = 15;

    /// <summary>Below this many pixels per band a level is not worth splitting across threads.</summary>
    private const int MinPixelsPerBand = 1 << 16;

    /// <summary>
    /// Compares <paramref name="activity"/> (CV_32F) with <paramref name="bestActivity"/> into <paramref name="vote"/>
    /// (CV_8U, 0 or 1), writes the majority mask (CV_8U, 0 or 255) into <paramref name="mask"/>, and where it is set
    /// copies <paramref name="activity"/> into <paramref name="bestActivity"/> and <paramref name="values"/> into
    /// <paramref name="bestValues"/> (both CV_32F or both CV_16S, the size of the activity).
    /// </summary>
    public static void Select(Mat activity, Mat bestActivity, Mat values, Mat bestValues, Mat vote, Mat mask, int window) =>
        Select(activity, bestActivity, values, bestValues, vote, mask, window, null, null, Avx2.IsSupported);

    /// <summary>
    /// As above, with the activity of pixel (x, y) taken as activity(x, y) · <paramref name="gainX"/>[x] ·
    /// <paramref name="gainY"/>[y] in the vote and in what is copied into <paramref name="bestActivity"/> (the warp
    /// weighting of <see cref="WarpDetailGain"/>), without a pass of its own.
    /// </summary>
    public static void Select(Mat activity, Mat bestActivity, Mat values, Mat bestValues, Mat vote, Mat mask, int window, float[]? gainX, float[]? gainY) =>
        Select(activity, bestActivity, values, bestValues, vote, mask, window, gainX, gainY, Avx2.IsSupported);

    /// <summary>As above; <paramref name="simd"/> false runs the scalar code (the tests compare both paths).</summary>
    internal static unsafe void Select(Mat activity, Mat bestActivity, Mat values, Mat bestValues, Mat vote, Mat mask, int window, float[]? gainX, float[]? gainY, bool simd)
    {
        simd &= Avx2.IsSupported;
        int w = activity.Width, h = activity.Height;
        if (window < 1 || window % 2 == 0 || window > MaxWindowPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window must be odd, 1–{MaxWindowPixels}.");
        }
        bool shorts = values.Type() == MatType.CV_16SC1;
        if (activity.Type() != MatType.CV_32FC1 || bestActivity.Type() != MatType.CV_32FC1 || bestValues.Type() != values.Type()
            || (!shorts && values.Type() != MatType.CV_32FC1))
        {
            throw new ArgumentException("Activities must be CV_32F, values both CV_32F or both CV_16S.");
        }
        foreach (var m in new[] { bestActivity, values, bestValues })
        {
            if (m.Width != w || m.Height != h)
            {
                throw new ArgumentException("All images of a level must have the same size.");
            }
        }
        if ((gainX is null) != (gainY is null))
        {
            throw new ArgumentException("Gains come as a pair, one per column and one per row, or not at all.");
        }
        if (gainX is not null && (gainX.Length < w || gainY!.Length < h))
        {
            throw new ArgumentException($"The gains cover {gainX.Length} columns and {gainY!.Length} rows; the level is {w}×{h}.");
        }
        vote.Create(h, w, MatType.CV_8UC1);
        mask.Create(h, w, MatType.CV_8UC1);
        var a = new Image(activity);
        var best = new Image(bestActivity);
        var v = new Image(values);
        var bestV = new Image(bestValues);
        var votes = new Image(vote);
        var masks = new Image(mask);
        int radius = window / 2;
        byte threshold = (byte)((window * window + 1) / 2);

        // The vote of every row must be in place before any row of the best activity is overwritten: a row's count
        // reads the votes of the rows around it.
        Bands(w, h, (y0, y1) =>
        {
            fixed (float* gx = gainX)
            {
                for (int y = y0; y < y1; y++)
                {
                    VoteRow((float*)a.Row(y), gx, gx == null ? 1 : gainY![y], (float*)best.Row(y), votes.Row(y), w, simd);
                }
            }
        });
        Bands(w, h, (y0, y1) =>
        {
            // Column counts of the row, with `radius` reflected columns either side and room for a vector's overrun.
            var padded = stackalloc byte[w + 2 * radius + 32];
            var rows = stackalloc byte*[window];
            fixed (float* gx = gainX)
            {
                for (int y = y0; y < y1; y++)
                {
                    for (int d = 0; d < window; d++)
                    {
                        rows[d] = votes.Row(BorderIndex.Reflect101(y - radius + d, h));
                    }
                    ColumnCounts(rows, window, padded + radius, w, simd);
                    for (int j = 1; j <= radius; j++)
                    {
                        padded[radius - j] = padded[radius + BorderIndex.Reflect101(-j, w)];
                        padded[radius + w - 1 + j] = padded[radius + BorderIndex.Reflect101(w - 1 + j, w)];
                    }
                    byte* m = masks.Row(y);
                    Majority(padded, window, threshold, m, w, simd);
                    CopyWhere(m, (float*)a.Row(y), gx, gx == null ? 1 : gainY![y], (float*)best.Row(y), w, simd);
                    if (shorts)
                    {
                        CopyWhere(m, (short*)v.Row(y), (short*)bestV.Row(y), w, simd);
                    }
                    else
                    {
                        CopyWhere(m, (float*)v.Row(y), null, 1, (float*)bestV.Row(y), w, simd);
                    }
                }
            }
        });
    }

    /// <summary>Runs <paramref name="body"/> over bands of rows, on the calling thread when the image is small.</summary>
    private static void Bands(int w, int h, Action<int, int> body)
    {
        int bands = Math.Clamp((int)Math.Min((long)w * h / MinPixelsPerBand, h), 1, 4 * Environment.ProcessorCount);
        if (bands == 1)
        {
            body(0, h);
            return;
        }
        Parallel.For(0, bands, b => body((int)((long)h * b / bands), (int)((long)h * (b + 1) / bands)));
    }

    /// <summary>vote = a > b, or with <paramref name="gx"/> a · gx[x] · <paramref name="gy"/> > b.</summary>
    private static unsafe void VoteRow(float* a, float* gx, float gy, float* b, byte* vote, int w, bool simd)
    {
        int x = 0;
        if (simd)
        {
            // Four compares of 8 floats packed to 32 bytes; the packs interleave the 128-bit lanes, the permute
            // restores column order.
            var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
            var one = Vector256.Create((byte)1);
            var row = Vector256.Create(gy);
            for (; x + 32 <= w; x += 32)
            {
                var c0 = Avx.CompareGreaterThan(Weighted(a, gx, row, x), Avx.LoadVector256(b + x)).AsInt32();
                var c1 = Avx.CompareGreaterThan(Weighted(a, gx, row, x + 8), Avx.LoadVector256(b + x + 8)).AsInt32();
                var c2 = Avx.CompareGreaterThan(Weighted(a, gx, row, x + 16), Avx.LoadVector256(b + x + 16)).AsInt32();
                var c3 = Avx.CompareGreaterThan(Weighted(a, gx, row, x + 24), Avx.LoadVector256(b + x + 24)).AsInt32();
                var packed = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(c0, c1), Avx2.PackSignedSaturate(c2, c3));
                Avx.Store(vote + x, Avx2.And(Avx2.PermuteVar8x32(packed.AsInt32(), order).AsByte(), one));
            }
        }
        for (; x < w; x++)
        {
            float value = gx == null ? a[x] : a[x] * gx[x] * gy;
            vote[x] = value > b[x] ? (byte)1 : (byte)0;
        }
    }

    private static unsafe Vector256<float> Weighted(float* a, float* gx, Vector256<float> row, int x) =>
        gx == null ? Avx.LoadVector256(a + x) : Avx.Multiply(Avx.Multiply(Avx.LoadVector256(a + x), Avx.LoadVector256(gx + x)), row);

    private static unsafe void ColumnCounts(byte** rows, int window, byte* counts, int w, bool simd)
    {
        int x = 0;
        if (simd)
        {
            for (; x + 32 <= w; x += 32)
            {
                var sum = Avx.LoadVector256(rows[0] + x);
                for (int d = 1; d < window; d++)
                {
                    sum = Avx2.Add(sum, Avx.LoadVector256(rows[d] + x));
                }
                Avx.Store(counts + x, sum);
            }
        }
        for (; x < w; x++)
        {
            int sum = 0;
            for (int d = 0; d < window; d++)
            {
                sum += rows[d][x];
            }
            counts[x] = (byte)sum;
        }
    }

    /// <summary>Mask byte x = 255 where the window's count (columns x … x + window − 1 of padded) reaches the threshold.</summary>
    private static unsafe void Majority(byte* padded, int window, byte threshold, byte* mask, int w, bool simd)
    {
        int x = 0;
        if (simd)
        {
            var limit = Vector256.Create(threshold);
            for (; x + 32 <= w; x += 32)
            {
                var count = Avx.LoadVector256(padded + x);
                for (int d = 1; d < window; d++)
                {
                    count = Avx2.Add(count, Avx.LoadVector256(padded + x + d));
                }
                // Unsigned count ≥ threshold: the larger of the two is the count.
                Avx.Store(mask + x, Avx2.CompareEqual(Avx2.Max(count, limit), count));
            }
        }
        for (; x < w; x++)
        {
            int count = 0;
            for (int d = 0; d < window; d++)
            {
                count += padded[x + d];
            }
            mask[x] = count >= threshold ? (byte)255 : (byte)0;
        }
    }

    /// <summary>
    /// target = source where the mask is set; with <paramref name="gx"/>, source · gx[x] · <paramref name="gy"/>,
    /// multiplied in the order <see cref="VoteRow"/> uses, so that the stored best is bit for bit the value the next
    /// slice is compared with.
    /// </summary>
    private static unsafe void CopyWhere(byte* mask, float* source, float* gx, float gy, float* target, int w, bool simd)
    {
        int x = 0;
        if (simd)
        {
            var row = Vector256.Create(gy);
            for (; x + 8 <= w; x += 8)
            {
                ulong bits = *(ulong*)(mask + x);
                if (bits == 0)
                {
                    continue;
                }
                var s = Avx.LoadVector256(source + x);
                if (gx != null)
                {
                    s = Avx.Multiply(Avx.Multiply(s, Avx.LoadVector256(gx + x)), row);
                }
                if (bits != ulong.MaxValue)
                {
                    var select = Avx2.ConvertToVector256Int32((sbyte*)(mask + x)).AsSingle();
                    s = Avx.BlendVariable(Avx.LoadVector256(target + x), s, select);
                }
                Avx.Store(target + x, s);
            }
        }
        for (; x < w; x++)
        {
            if (mask[x] != 0)
            {
                target[x] = gx == null ? source[x] : source[x] * gx[x] * gy;
            }
        }
    }

    private static unsafe void CopyWhere(byte* mask, short* source, short* target, int w, bool simd)
    {
        int x = 0;
        if (simd)
        {
            for (; x + 16 <= w; x += 16)
            {
                var bits = Sse2.LoadVector128(mask + x);
                if (Sse41.TestZ(bits, bits))
                {
                    continue;
                }
                var select = Avx2.ConvertToVector256Int16((sbyte*)(mask + x)).AsByte();
                var s = Avx2.BlendVariable(Avx.LoadVector256(target + x).AsByte(), Avx.LoadVector256(source + x).AsByte(), select);
                Avx.Store(target + x, s.AsInt16());
            }
        }
        for (; x < w; x++)
        {
            if (mask[x] != 0)
            {
                target[x] = source[x];
            }
        }
    }

    /// <summary>Base address and row step of a continuous or strided Mat, so that rows cost no native call.</summary>
    private readonly unsafe struct Image(Mat mat)
    {
        private readonly byte* _data = (byte*)mat.Data;
        private readonly long _step = mat.Step();

        public byte* Row(int y) => _data + y * _step;
    }
}
