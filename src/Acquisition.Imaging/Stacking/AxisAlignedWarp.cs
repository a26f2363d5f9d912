using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// Bilinear warp with replicated borders for the stacker's transforms, which never rotate: a scale about the centre
/// plus a shift, so a source column depends only on the output column and a source row only on the output row.
/// The interpolation is then separable: every source row is interpolated along x once (taps and weights per output
/// column, computed once per warp), and every output row blends two of those rows. OpenCV's warpAffine computes a
/// coordinate map for every pixel and remaps through it, then the 8-bit result needed a second pass into the 16-bit
/// level 0; this writes level 0 directly (15–20 → ≈ 4 ms CPU per 2448×2048 slice, docs/benchmarks.md).
/// Weights are fixed point for integer images (1/256 px for 8-bit sources, 1/128 px for 16-bit, finer than OpenCV's
/// 1/32) and exact for float images. Not thread-safe: one instance per warp site.
/// </summary>
internal sealed class AxisAlignedWarp
{
    /// <summary>Columns per vector (8 lanes of 32 bits).</summary>
    private const int Lanes = 8;

    private int[] _left = [];
    private int[] _right = [];
    private int[] _weightX = [];
    private float[] _weightXFloat = [];
    // Per group of 8 output columns: its taps are consecutive source columns, none clamped by the border, so one
    // vector load serves the group.
    private bool[] _contiguous = [];
    private bool[] _unclamped = [];
    private int[] _top = [];
    private int[] _bottom = [];
    private int[] _weightY = [];
    private float[] _weightYFloat = [];
    // Two x-interpolated source rows per band of output rows (int or float bits), reused down the band.
    private int[] _rows = [];
    // The same for 8-bit sources in 16-bit lanes (see WarpBytesToShort).
    private short[] _rowsShort = [];
    private short[] _weightXShort = [];

    /// <summary>
    /// Bands the output rows are split into for Parallel.For; each keeps its own two cached rows. Small images (the
    /// registration crops, 256 × 256) run as one band on the caller's thread: the pool's hand-off costs more than
    /// their 64 k pixels.
    /// </summary>
    private static int Bands(int width, int height) => (long)width * height < SmallImagePixels ? 1 : Math.Clamp(height / 32, 1, 4 * Environment.ProcessorCount);

    private const long SmallImagePixels = 1 << 18;

    /// <summary>Runs the bands, in parallel unless there is only one.</summary>
    private static void ForBands(int bands, Action<int> band)
    {
        if (bands == 1)
        {
            band(0);
        }
        else
        {
            Parallel.For(0, bands, band);
        }
    }

    /// <summary>
    /// Warps an 8- or 16-bit single-channel <paramref name="source"/> into a CV_16S <paramref name="destination"/>
    /// of the same size, multiplied by 2^<paramref name="log2Gain"/> (the 16-bit level 0's scale, which may be
    /// negative). Output pixel (x, y) samples the source at (a·x + bx, a·y + by).
    /// </summary>
    public unsafe void WarpToShort(Mat source, Mat destination, double a, double bx, double by, int log2Gain)
    {
        bool bytes = source.Depth() == MatType.CV_8U;
        if (source.Channels() != 1 || (!bytes && source.Depth() != MatType.CV_16U))
        {
            throw new ArgumentException("The warp takes single-channel 8- or 16-bit images.", nameof(source));
        }
        int w = source.Width, h = source.Height;
        // Weight bits: two weights of 2^wb times a 16-bit value must fit an int32.
        int wb = bytes ? 8 : 7;
        int shift = 2 * wb - log2Gain;
        if (shift < 1 || shift > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(log2Gain), log2Gain, "Gain out of the fixed-point range.");
        }
        Prepare(w, h, a, bx, by, wb);
        destination.Create(h, w, MatType.CV_16SC1);
        int bands = Bands(w, h);
        if (bytes && Avx2.IsSupported && shift - 1 >= 1)
        {
            WarpBytesToShort(source, destination, bands, shift - 1);
            return;
        }
        EnsureRows(bands, w);
        var src = source;
        var dst = destination;
        int unit = 1 << wb;
        int round = 1 << (shift - 1);
        ForBands(bands, band =>
        {
            fixed (int* rows = _rows, left = _left, right = _right, weightX = _weightX)
            fixed (bool* contiguous = _contiguous)
            {
                int* slot0 = rows + (long)band * 2 * w, slot1 = slot0 + w;
                int tag0 = -1, tag1 = -1;
                int y0 = (int)((long)h * band / bands), y1 = (int)((long)h * (band + 1) / bands);
                for (int y = y0; y < y1; y++)
                {
                    int top = _top[y], bottom = _bottom[y];
                    // Two cached rows: keep the one this output row still needs, refill the other.
                    if (SlotToFill(top, bottom, ref tag0, ref tag1) is { } forTop)
                    {
                        InterpolateRow(src.Ptr(top), bytes, forTop == 0 ? slot0 : slot1, w, wb, left, right, weightX, contiguous);
                    }
                    if (SlotToFill(bottom, top, ref tag0, ref tag1) is { } forBottom)
                    {
                        InterpolateRow(src.Ptr(bottom), bytes, forBottom == 0 ? slot0 : slot1, w, wb, left, right, weightX, contiguous);
                    }
                    int* upper = tag0 == top ? slot0 : slot1;
                    int* lower = tag0 == bottom ? slot0 : slot1;
                    BlendRows(upper, lower, (short*)dst.Ptr(y), w, unit - _weightY[y], _weightY[y], round, shift);
                }
            }
        });
    }

    /// <summary>
    /// The 8-bit warp in 16-bit lanes, twice the pixels per instruction of the 32-bit path: the x-interpolated row
    /// s(left)·2^8 + (s(right) − s(left))·f lies in [0, 255·2^8], so it is computed modulo 2^16 (exact) and halved
    /// with rounding into [0, 2^15) (its 1/128 grey-level step is the output's own); the y blend is then one pmaddwd
    /// of interleaved (upper, lower) and (2^8 − f, f). At most one output unit (1/128 grey level at the 15-bit
    /// scale) from the 32-bit path, ≈ 10 % less CPU (2.4 → 2.1 ms a 2448×2048 slice on one core, docs/benchmarks.md):
    /// the pass is mostly bound by its 15 MB of memory traffic, not the arithmetic.
    /// </summary>
    private unsafe void WarpBytesToShort(Mat source, Mat destination, int bands, int shift)
    {
        int w = source.Width, h = source.Height;
        long needed = (long)bands * 2 * w;
        if (_rowsShort.Length < needed)
        {
            _rowsShort = new short[needed];
        }
        if (_weightXShort.Length != w)
        {
            _weightXShort = new short[w];
        }
        for (int x = 0; x < w; x++)
        {
            _weightXShort[x] = (short)_weightX[x];
        }
        var src = source;
        var dst = destination;
        int round = 1 << (shift - 1);
        ForBands(bands, band =>
        {
            fixed (short* rows = _rowsShort, weightX = _weightXShort)
            fixed (int* left = _left, right = _right)
            fixed (bool* contiguous = _contiguous)
            {
                short* slot0 = rows + (long)band * 2 * w, slot1 = slot0 + w;
                int tag0 = -1, tag1 = -1;
                int y0 = (int)((long)h * band / bands), y1 = (int)((long)h * (band + 1) / bands);
                for (int y = y0; y < y1; y++)
                {
                    int top = _top[y], bottom = _bottom[y];
                    if (SlotToFill(top, bottom, ref tag0, ref tag1) is { } forTop)
                    {
                        InterpolateBytes((byte*)src.Ptr(top), forTop == 0 ? slot0 : slot1, w, left, right, weightX, contiguous);
                    }
                    if (SlotToFill(bottom, top, ref tag0, ref tag1) is { } forBottom)
                    {
                        InterpolateBytes((byte*)src.Ptr(bottom), forBottom == 0 ? slot0 : slot1, w, left, right, weightX, contiguous);
                    }
                    short* upper = tag0 == top ? slot0 : slot1;
                    short* lower = tag0 == bottom ? slot0 : slot1;
                    BlendShortRows(upper, lower, (short*)dst.Ptr(y), w, 256 - _weightY[y], _weightY[y], round, shift);
                }
            }
        });
    }

    /// <summary>h(x) = (s(left)·2^8 + (s(right) − s(left))·f + 1) >> 1 for an 8-bit row, 16 columns at a time.</summary>
    private static unsafe void InterpolateBytes(byte* row, short* h, int w, int* left, int* right, short* weightX, bool* contiguous)
    {
        int x = 0;
        var one = Vector256.Create((short)1);
        for (; x + 2 * Lanes <= w; x += 2 * Lanes)
        {
            int s = left[x];
            if (!contiguous[x / Lanes] || !contiguous[x / Lanes + 1] || left[x + Lanes] != s + Lanes)
            {
                for (int k = x; k < x + 2 * Lanes; k++)
                {
                    h[k] = (short)((Tap(row[left[k]], row[right[k]], weightX[k], 8) + 1) >> 1);
                }
                continue;
            }
            var p0 = Avx2.ConvertToVector256Int16(row + s);
            var p1 = Avx2.ConvertToVector256Int16(row + s + 1);
            var f = Avx.LoadVector256(weightX + x);
            // Modulo 2^16 throughout: the true value is in [0, 65280], so its low 16 bits, read unsigned, are exact.
            var sum = Avx2.Add(Avx2.ShiftLeftLogical(p0, 8), Avx2.MultiplyLow(Avx2.Subtract(p1, p0), f));
            Avx.Store(h + x, Avx2.ShiftRightLogical(Avx2.Add(sum, one), 1));
        }
        for (; x < w; x++)
        {
            h[x] = (short)((Tap(row[left[x]], row[right[x]], weightX[x], 8) + 1) >> 1);
        }
    }

    /// <summary>out(x) = (upper·wu + lower·wl + round) >> shift, saturated to 16 bits (rows in [0, 2^15)).</summary>
    private static unsafe void BlendShortRows(short* upper, short* lower, short* output, int w, int wu, int wl, int round, int shift)
    {
        int x = 0;
        // (wu, wl) pairs for pmaddwd against (upper, lower) pairs.
        var weights = Vector256.Create((wl << 16) | wu).AsInt16();
        var vr = Vector256.Create(round);
        for (; x + 2 * Lanes <= w; x += 2 * Lanes)
        {
            var u = Avx.LoadVector256(upper + x);
            var l = Avx.LoadVector256(lower + x);
            // unpacklo/hi and packssdw work within 128-bit lanes alike, so the outputs come back in column order.
            var a = (Avx2.MultiplyAddAdjacent(Avx2.UnpackLow(u, l), weights) + vr) >> shift;
            var b = (Avx2.MultiplyAddAdjacent(Avx2.UnpackHigh(u, l), weights) + vr) >> shift;
            Avx.Store(output + x, Avx2.PackSignedSaturate(a, b));
        }
        for (; x < w; x++)
        {
            int v = (upper[x] * wu + lower[x] * wl + round) >> shift;
            output[x] = (short)Math.Clamp(v, short.MinValue, short.MaxValue);
        }
    }

    /// <summary>
    /// The same warp for a single-channel float image (float output, exact weights). With
    /// <paramref name="reflect101"/> the borders are mirrored as BORDER_REFLECT_101 instead of replicated (the
    /// registration crops, whose OpenCV warpAffine did that at 1/32 px weights).
    /// </summary>
    public unsafe void WarpFloat(Mat source, Mat destination, double a, double bx, double by, bool reflect101 = false)
    {
        if (source.Type() != MatType.CV_32FC1)
        {
            throw new ArgumentException("WarpFloat takes single-channel float images.", nameof(source));
        }
        int w = source.Width, h = source.Height;
        Prepare(w, h, a, bx, by, 8, reflect101, floatWeights: true);
        destination.Create(h, w, MatType.CV_32FC1);
        int bands = Bands(w, h);
        EnsureRows(bands, w);
        var src = source;
        var dst = destination;
        ForBands(bands, band =>
        {
            fixed (int* rowBits = _rows, left = _left, right = _right)
            fixed (float* weightX = _weightXFloat)
            fixed (bool* contiguous = _contiguous)
            {
                float* rows = (float*)rowBits;
                float* slot0 = rows + (long)band * 2 * w, slot1 = slot0 + w;
                int tag0 = -1, tag1 = -1;
                int y0 = (int)((long)h * band / bands), y1 = (int)((long)h * (band + 1) / bands);
                for (int y = y0; y < y1; y++)
                {
                    int top = _top[y], bottom = _bottom[y];
                    if (SlotToFill(top, bottom, ref tag0, ref tag1) is { } forTop)
                    {
                        InterpolateRowFloat((float*)src.Ptr(top), forTop == 0 ? slot0 : slot1, w, left, right, weightX, contiguous);
                    }
                    if (SlotToFill(bottom, top, ref tag0, ref tag1) is { } forBottom)
                    {
                        InterpolateRowFloat((float*)src.Ptr(bottom), forBottom == 0 ? slot0 : slot1, w, left, right, weightX, contiguous);
                    }
                    float* upper = tag0 == top ? slot0 : slot1;
                    float* lower = tag0 == bottom ? slot0 : slot1;
                    BlendRowsFloat(upper, lower, (float*)dst.Ptr(y), w, _weightYFloat[y]);
                }
            }
        });
    }

    /// <summary>
    /// Which of the two cached row slots must be filled with source row <paramref name="needed"/> (null when one holds
    /// it already): never the one holding <paramref name="keep"/>, which the same output row also blends.
    /// </summary>
    private static int? SlotToFill(int needed, int keep, ref int tag0, ref int tag1)
    {
        if (tag0 == needed || tag1 == needed)
        {
            return null;
        }
        if (tag0 != keep)
        {
            tag0 = needed;
            return 0;
        }
        tag1 = needed;
        return 1;
    }

    private void EnsureRows(int bands, int w)
    {
        long needed = (long)bands * 2 * w;
        if (_rows.Length < needed)
        {
            _rows = new int[needed];
        }
    }

    /// <summary>
    /// Taps and weights per output column and row; replicated borders clamp each tap on its own, as OpenCV does, and
    /// mirrored ones reflect each tap on its own.
    /// </summary>
    private void Prepare(int w, int h, double a, double bx, double by, int wb, bool reflect101 = false, bool floatWeights = false)
    {
        if (_left.Length != w)
        {
            _left = new int[w];
            _right = new int[w];
            _weightX = new int[w];
            _weightXFloat = new float[w];
            _contiguous = new bool[w / Lanes];
            _unclamped = new bool[w];
        }
        if (_top.Length != h)
        {
            _top = new int[h];
            _bottom = new int[h];
            _weightY = new int[h];
            _weightYFloat = new float[h];
        }
        var unclamped = _unclamped;
        Axis(w, a, bx, wb, _left, _right, _weightX, _weightXFloat, unclamped, reflect101, floatWeights);
        Axis(h, a, by, wb, _top, _bottom, _weightY, _weightYFloat, null, reflect101, floatWeights);
        for (int c = 0; c < _contiguous.Length; c++)
        {
            int first = c * Lanes;
            bool ok = true;
            for (int k = 0; k < Lanes && ok; k++)
            {
                ok = unclamped[first + k] && _left[first + k] == _left[first] + k;
            }
            _contiguous[c] = ok;
        }
    }

    private static void Axis(int n, double a, double b, int wb, int[] low, int[] high, int[] weight, float[] weightFloat, bool[]? unclamped, bool reflect101, bool floatWeights)
    {
        int unit = 1 << wb;
        for (int i = 0; i < n; i++)
        {
            double position = a * i + b;
            double floor = Math.Floor(position);
            long tap = (long)floor;
            double fraction = position - floor;
            int fixedWeight = (int)Math.Round(fraction * unit);
            // (Float weights keep the tap: moving it would extrapolate the next segment, which differs from the
            // interpolated one by up to 1/512 of a step where the data bend at that pixel.)
            if (fixedWeight == unit && !floatWeights)
            {
                // Rounds up to the next pixel: the left tap moves right and takes the whole weight.
                tap++;
                fixedWeight = 0;
            }
            // Exact for float images.
            weightFloat[i] = (float)(position - tap);
            weight[i] = fixedWeight;
            if (reflect101)
            {
                // Bounded so a wild transform cannot overflow or make the reflection loop long; taps that far out
                // (never from the stacker, whose shifts are capped well inside the frame) then mirror approximately.
                int t = (int)Math.Clamp(tap, -3L * n, 3L * n);
                low[i] = BorderIndex.Reflect101(t, n);
                high[i] = BorderIndex.Reflect101(t + 1, n);
            }
            else
            {
                low[i] = (int)Math.Clamp(tap, 0, n - 1);
                high[i] = (int)Math.Clamp(tap + 1, 0, n - 1);
            }
            if (unclamped is not null)
            {
                unclamped[i] = tap >= 0 && tap + 1 <= n - 1;
            }
        }
    }

    /// <summary>h(x) = s(left)·(2^wb − f) + s(right)·f: the source row interpolated at every output column.</summary>
    private static unsafe void InterpolateRow(nint row, bool bytes, int* h, int w, int wb, int* left, int* right, int* weightX, bool* contiguous)
    {
        byte* b = (byte*)row;
        ushort* u = (ushort*)row;
        int x = 0;
        if (Avx2.IsSupported)
        {
            for (; x + Lanes <= w; x += Lanes)
            {
                if (!contiguous[x / Lanes])
                {
                    for (int k = x; k < x + Lanes; k++)
                    {
                        h[k] = bytes ? Tap(b[left[k]], b[right[k]], weightX[k], wb) : Tap(u[left[k]], u[right[k]], weightX[k], wb);
                    }
                    continue;
                }
                int s = left[x];
                var p0 = bytes ? Avx2.ConvertToVector256Int32(b + s) : Avx2.ConvertToVector256Int32(u + s);
                var p1 = bytes ? Avx2.ConvertToVector256Int32(b + s + 1) : Avx2.ConvertToVector256Int32(u + s + 1);
                var f = Avx.LoadVector256(weightX + x);
                Avx.Store(h + x, Avx2.Add((p0 << wb), Avx2.MultiplyLow(Avx2.Subtract(p1, p0), f)));
            }
        }
        for (; x < w; x++)
        {
            h[x] = bytes ? Tap(b[left[x]], b[right[x]], weightX[x], wb) : Tap(u[left[x]], u[right[x]], weightX[x], wb);
        }
    }

    private static int Tap(int p0, int p1, int f, int wb) => (p0 << wb) + (p1 - p0) * f;

    /// <summary>out(x) = (upper·wu + lower·wl + round) >> shift, saturated to 16 bits.</summary>
    private static unsafe void BlendRows(int* upper, int* lower, short* output, int w, int wu, int wl, int round, int shift)
    {
        int x = 0;
        if (Avx2.IsSupported)
        {
            var vu = Vector256.Create(wu);
            var vl = Vector256.Create(wl);
            var vr = Vector256.Create(round);
            for (; x + 2 * Lanes <= w; x += 2 * Lanes)
            {
                var a = (Avx2.MultiplyLow(Avx.LoadVector256(upper + x), vu) + Avx2.MultiplyLow(Avx.LoadVector256(lower + x), vl) + vr) >> shift;
                var c = (Avx2.MultiplyLow(Avx.LoadVector256(upper + x + Lanes), vu) + Avx2.MultiplyLow(Avx.LoadVector256(lower + x + Lanes), vl) + vr) >> shift;
                // packssdw interleaves the 128-bit lanes; the permute puts the 16 results back in order.
                var packed = Avx2.Permute4x64(Avx2.PackSignedSaturate(a, c).AsInt64(), 0b11_01_10_00).AsInt16();
                Avx.Store(output + x, packed);
            }
        }
        for (; x < w; x++)
        {
            int v = (upper[x] * wu + lower[x] * wl + round) >> shift;
            output[x] = (short)Math.Clamp(v, short.MinValue, short.MaxValue);
        }
    }

    private static unsafe void InterpolateRowFloat(float* row, float* h, int w, int* left, int* right, float* weightX, bool* contiguous)
    {
        int x = 0;
        if (Avx.IsSupported)
        {
            for (; x + Lanes <= w; x += Lanes)
            {
                if (!contiguous[x / Lanes])
                {
                    for (int k = x; k < x + Lanes; k++)
                    {
                        h[k] = row[left[k]] + (row[right[k]] - row[left[k]]) * weightX[k];
                    }
                    continue;
                }
                int s = left[x];
                var p0 = Avx.LoadVector256(row + s);
                var p1 = Avx.LoadVector256(row + s + 1);
                Avx.Store(h + x, Avx.Add(p0, Avx.Multiply(Avx.Subtract(p1, p0), Avx.LoadVector256(weightX + x))));
            }
        }
        for (; x < w; x++)
        {
            h[x] = row[left[x]] + (row[right[x]] - row[left[x]]) * weightX[x];
        }
    }

    private static unsafe void BlendRowsFloat(float* upper, float* lower, float* output, int w, float fy)
    {
        int x = 0;
        if (Avx.IsSupported)
        {
            var f = Vector256.Create(fy);
            for (; x + Lanes <= w; x += Lanes)
            {
                var u = Avx.LoadVector256(upper + x);
                Avx.Store(output + x, Avx.Add(u, Avx.Multiply(Avx.Subtract(Avx.LoadVector256(lower + x), u), f)));
            }
        }
        for (; x < w; x++)
        {
            output[x] = upper[x] + (lower[x] - upper[x]) * fy;
        }
    }

    // The cubic warp (WarpCubicToShort): four clamped taps and four weights (2^14 = 1) per output column and row.
    private const int CubicWeightBits = 14;
    // Bits per grey level of an 8-bit source's x-interpolated row: 2^6 keeps the cubic's range, −0.125 … 1.125 of
    // 255 levels, inside a short.
    private const int CubicRowBits = 6;
    private int[] _cubicTapX = [];
    private short[] _cubicWeightX = [];
    private int[] _cubicTapY = [];
    private short[] _cubicWeightY = [];
    // Per group of 16 output columns of an 8-bit source: where each 128-bit lane loads its 16 source bytes (-1: the
    // group runs scalar), the pshufb masks that spread them into the (tap 0, tap 1) and (tap 2, tap 3) pairs of each
    // column, and those pairs' weights, all in the lane order that pmaddwd and packssdw leave in column order.
    private int[] _cubicBase = [];
    private byte[] _cubicMasks = [];
    private int[] _cubicPairs = [];
    private short[] _cubicRowsShort = [];

    /// <summary>
    /// Keys' cubic convolution with a = −0.5 (Catmull–Rom): of the Keys family the one that reproduces quadratics,
    /// so the most accurate on smooth data, and with a smaller overshoot at edges than OpenCV's a = −0.75 (a step
    /// sampled at a half-pixel phase: 6.25 % against 9.4 %). Weights of the taps at −1, 0, 1, 2 for a fraction
    /// <paramref name="t"/> in [0, 1).
    /// </summary>
    internal static (double W0, double W1, double W2, double W3) KeysWeights(double t)
    {
        static double Near(double x) => (1.5 * x - 2.5) * x * x + 1;
        static double Far(double x) => ((-0.5 * x + 2.5) * x - 4) * x + 2;
        return (Far(1 + t), Near(t), Near(1 - t), Far(2 - t));
    }

    /// <summary>
    /// The warp of <see cref="WarpToShort"/> with Keys' bicubic (a = −0.5) instead of bilinear interpolation: the
    /// same separable structure (taps and weights per output column once per warp, four cached x-interpolated rows
    /// per band, one four-row blend per output row), replicated borders (each tap clamped, as OpenCV's
    /// BORDER_REPLICATE), output saturated to [0, 2^15 − 1] as OpenCV saturates its 8-bit result. Weights are
    /// 1/2^14 of exact; the result is within 4.1 output units (1/30 grey level at the 15-bit scale) of a double-precision
    /// cubic (AxisAlignedWarpTests). 8-bit sources run
    /// in AVX2 (pshufb + pmaddwd along x, pmaddwd down y); 16-bit sources run scalar.
    /// </summary>
    public unsafe void WarpCubicToShort(Mat source, Mat destination, double a, double bx, double by, int log2Gain)
    {
        bool bytes = source.Depth() == MatType.CV_8U;
        if (source.Channels() != 1 || (!bytes && source.Depth() != MatType.CV_16U))
        {
            throw new ArgumentException("The warp takes single-channel 8- or 16-bit images.", nameof(source));
        }
        int w = source.Width, h = source.Height;
        // 8-bit: rows at 2^6 a level, weights 2^14; 16-bit: rows at 2^14 a level (int), the y blend in long.
        int shift = bytes ? CubicRowBits + CubicWeightBits - log2Gain : 2 * CubicWeightBits - log2Gain;
        if (shift < 1 || shift > (bytes ? 30 : 62))
        {
            throw new ArgumentOutOfRangeException(nameof(log2Gain), log2Gain, "Gain out of the fixed-point range.");
        }
        PrepareCubic(w, h, a, bx, by, bytes && Vectorised && w >= 2 * Lanes);
        destination.Create(h, w, MatType.CV_16SC1);
        int bands = Bands(w, h);
        long needed = (long)bands * 4 * w;
        if (bytes && _cubicRowsShort.Length < needed)
        {
            _cubicRowsShort = new short[needed];
        }
        if (!bytes && _rows.Length < needed)
        {
            _rows = new int[needed];
        }
        bool vectors = bytes && Vectorised;
        var src = source;
        var dst = destination;
        ForBands(bands, band =>
        {
            fixed (short* rowsShort = _cubicRowsShort, weightX = _cubicWeightX, weightY = _cubicWeightY)
            fixed (int* rowsInt = _rows, tapX = _cubicTapX, tapY = _cubicTapY, bases = _cubicBase, pairs = _cubicPairs)
            fixed (byte* masks = _cubicMasks)
            {
                Span<int> tags = [-1, -1, -1, -1];
                var slots = stackalloc int[4];
                int y0 = (int)((long)h * band / bands), y1 = (int)((long)h * (band + 1) / bands);
                for (int y = y0; y < y1; y++)
                {
                    int* taps = tapY + 4 * y;
                    // Four cached rows: fill each tap's row unless a slot holds it, into a slot this output row
                    // does not need (there always is one: at most four distinct rows are needed).
                    for (int k = 0; k < 4; k++)
                    {
                        int slot = tags.IndexOf(taps[k]);
                        if (slot < 0)
                        {
                            slot = 0;
                            while (tags[slot] == taps[0] || tags[slot] == taps[1] || tags[slot] == taps[2] || tags[slot] == taps[3])
                            {
                                slot++;
                            }
                            tags[slot] = taps[k];
                            long offset = ((long)band * 4 + slot) * w;
                            if (bytes)
                            {
                                CubicRowBytes((byte*)src.Ptr(taps[k]), rowsShort + offset, w, tapX, weightX, vectors ? bases : null, masks, pairs);
                            }
                            else
                            {
                                CubicRowUShort((ushort*)src.Ptr(taps[k]), rowsInt + offset, w, tapX, weightX);
                            }
                        }
                        slots[k] = slot;
                    }
                    short* o = (short*)dst.Ptr(y);
                    short* wy = weightY + 4 * y;
                    if (bytes)
                    {
                        short* r = rowsShort + (long)band * 4 * w;
                        CubicBlendShort(r + slots[0] * w, r + slots[1] * w, r + slots[2] * w, r + slots[3] * w, o, w, wy, shift, vectors);
                    }
                    else
                    {
                        int* r = rowsInt + (long)band * 4 * w;
                        CubicBlendInt(r + slots[0] * w, r + slots[1] * w, r + slots[2] * w, r + slots[3] * w, o, w, wy, shift);
                    }
                }
            }
        });
    }

    /// <summary>Whether the 8-bit cubic warp may use AVX2 (tests turn it off to check the scalar path against it).</summary>
    internal bool Vectorised { get; init; } = Avx2.IsSupported;

    private void PrepareCubic(int w, int h, double a, double bx, double by, bool vectors)
    {
        if (_cubicTapX.Length != 4 * w)
        {
            _cubicTapX = new int[4 * w];
            _cubicWeightX = new short[4 * w];
        }
        if (_cubicTapY.Length != 4 * h)
        {
            _cubicTapY = new int[4 * h];
            _cubicWeightY = new short[4 * h];
        }
        CubicAxis(w, a, bx, _cubicTapX, _cubicWeightX);
        CubicAxis(h, a, by, _cubicTapY, _cubicWeightY);
        int groups = vectors ? w / (2 * Lanes) : 0;
        if (_cubicBase.Length != 2 * groups)
        {
            _cubicBase = new int[2 * groups];
            _cubicMasks = new byte[groups * 128];
            _cubicPairs = new int[groups * 32];
        }
        for (int g = 0; g < groups; g++)
        {
            int x0 = g * 2 * Lanes;
            for (int lane = 0; lane < 2; lane++)
            {
                // The lane's 8 columns (4 in each of the two output vectors) must take their taps from 16 bytes
                // inside the row: true wherever the scale is near 1, borders included (the taps are clamped).
                int first = x0 + lane * Lanes, low = int.MaxValue, high = int.MinValue;
                for (int i = 4 * first; i < 4 * (first + Lanes); i++)
                {
                    low = Math.Min(low, _cubicTapX[i]);
                    high = Math.Max(high, _cubicTapX[i]);
                }
                int start = Math.Min(low, w - 16);
                bool fits = start >= 0 && high - start < 16;
                _cubicBase[2 * g + lane] = fits ? start : -1;
                if (!fits)
                {
                    continue;
                }
                for (int half = 0; half < 2; half++)
                {
                    for (int e = 0; e < 4; e++)
                    {
                        int x = first + 4 * half + e;
                        for (int pair = 0; pair < 2; pair++)
                        {
                            // Vector order: [taps 0–1 of columns 0–3 | 8–11], [taps 2–3 of the same], then 4–7 | 12–15.
                            int vector = 2 * half + pair;
                            int element = lane * 4 + e;
                            int t0 = 4 * x + 2 * pair;
                            int maskAt = g * 128 + vector * 32 + element * 4;
                            _cubicMasks[maskAt] = (byte)(_cubicTapX[t0] - start);
                            _cubicMasks[maskAt + 1] = 0x80;
                            _cubicMasks[maskAt + 2] = (byte)(_cubicTapX[t0 + 1] - start);
                            _cubicMasks[maskAt + 3] = 0x80;
                            _cubicPairs[g * 32 + vector * 8 + element] = (ushort)_cubicWeightX[t0] | (_cubicWeightX[t0 + 1] << 16);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Taps (clamped to the frame) and fixed-point Keys weights (summing to 2^14 exactly) per output pixel.</summary>
    private static void CubicAxis(int n, double a, double b, int[] taps, short[] weights)
    {
        const int unit = 1 << CubicWeightBits;
        Span<int> fixedWeight = stackalloc int[4];
        for (int i = 0; i < n; i++)
        {
            double position = a * i + b;
            double floor = Math.Floor(position);
            long tap = (long)floor;
            var (w0, w1, w2, w3) = KeysWeights(position - floor);
            fixedWeight[0] = (int)Math.Round(w0 * unit);
            fixedWeight[1] = (int)Math.Round(w1 * unit);
            fixedWeight[2] = (int)Math.Round(w2 * unit);
            fixedWeight[3] = (int)Math.Round(w3 * unit);
            // The rounding residue goes to the larger centre weight, so a flat region stays exactly flat.
            int residue = unit - (fixedWeight[0] + fixedWeight[1] + fixedWeight[2] + fixedWeight[3]);
            fixedWeight[w1 >= w2 ? 1 : 2] += residue;
            for (int k = 0; k < 4; k++)
            {
                taps[4 * i + k] = (int)Math.Clamp(tap - 1 + k, 0, n - 1);
                weights[4 * i + k] = (short)fixedWeight[k];
            }
        }
    }

    /// <summary>
    /// An 8-bit source row interpolated along x at every output column, at 2^6 a grey level:
    /// (Σ w_k·s(tap_k) + 2^7) >> 8. With <paramref name="bases"/> the groups of 16 columns whose taps fit a lane's
    /// 16 bytes take one pshufb and one pmaddwd per pair of taps.
    /// </summary>
    private static unsafe void CubicRowBytes(byte* row, short* h, int w, int* tapX, short* weightX, int* bases, byte* masks, int* pairs)
    {
        const int round = 1 << (CubicWeightBits - CubicRowBits - 1);
        int x = 0;
        if (bases is not null)
        {
            var vr = Vector256.Create(round);
            for (int g = 0; x + 2 * Lanes <= w; x += 2 * Lanes, g++)
            {
                int b0 = bases[2 * g], b1 = bases[2 * g + 1];
                if (b0 < 0 || b1 < 0)
                {
                    CubicBytesScalar(row, h, x, x + 2 * Lanes, tapX, weightX);
                    continue;
                }
                var data = Vector256.Create(Sse2.LoadVector128(row + b0), Sse2.LoadVector128(row + b1));
                byte* m = masks + g * 128;
                int* p = pairs + g * 32;
                var c0 = Avx2.Add(
                    Avx2.MultiplyAddAdjacent(Avx2.Shuffle(data, Avx.LoadVector256(m)).AsInt16(), Avx.LoadVector256(p).AsInt16()),
                    Avx2.MultiplyAddAdjacent(Avx2.Shuffle(data, Avx.LoadVector256(m + 32)).AsInt16(), Avx.LoadVector256(p + 8).AsInt16()));
                var c1 = Avx2.Add(
                    Avx2.MultiplyAddAdjacent(Avx2.Shuffle(data, Avx.LoadVector256(m + 64)).AsInt16(), Avx.LoadVector256(p + 16).AsInt16()),
                    Avx2.MultiplyAddAdjacent(Avx2.Shuffle(data, Avx.LoadVector256(m + 96)).AsInt16(), Avx.LoadVector256(p + 24).AsInt16()));
                c0 = Avx2.ShiftRightArithmetic(Avx2.Add(c0, vr), CubicWeightBits - CubicRowBits);
                c1 = Avx2.ShiftRightArithmetic(Avx2.Add(c1, vr), CubicWeightBits - CubicRowBits);
                // Lane 0 of c0 and c1 holds columns 0–3 and 4–7, lane 1 columns 8–11 and 12–15: packssdw's order.
                Avx.Store(h + x, Avx2.PackSignedSaturate(c0, c1));
            }
        }
        CubicBytesScalar(row, h, x, w, tapX, weightX);
    }

    private static unsafe void CubicBytesScalar(byte* row, short* h, int from, int to, int* tapX, short* weightX)
    {
        const int round = 1 << (CubicWeightBits - CubicRowBits - 1);
        for (int x = from; x < to; x++)
        {
            int* t = tapX + 4 * x;
            short* f = weightX + 4 * x;
            int sum = row[t[0]] * f[0] + row[t[1]] * f[1] + row[t[2]] * f[2] + row[t[3]] * f[3];
            h[x] = (short)((sum + round) >> (CubicWeightBits - CubicRowBits));
        }
    }

    /// <summary>A 16-bit source row interpolated along x, at 2^14 a level (|Σ| ≤ 1.125 · 65535 · 2^14 &lt; 2^31).</summary>
    private static unsafe void CubicRowUShort(ushort* row, int* h, int w, int* tapX, short* weightX)
    {
        for (int x = 0; x < w; x++)
        {
            int* t = tapX + 4 * x;
            short* f = weightX + 4 * x;
            h[x] = row[t[0]] * f[0] + row[t[1]] * f[1] + row[t[2]] * f[2] + row[t[3]] * f[3];
        }
    }

    /// <summary>
    /// out = clamp((Σ w_k·row_k + round) >> shift, 0, 2^15 − 1) over four 8-bit-source rows; |Σ| ≤ 18360 · 1.25 ·
    /// 2^14 &lt; 2^31. The vector path (pmaddwd of interleaved row pairs) and the scalar tail agree bit for bit.
    /// </summary>
    private static unsafe void CubicBlendShort(short* r0, short* r1, short* r2, short* r3, short* output, int w, short* wy, int shift, bool vectors)
    {
        int round = 1 << (shift - 1);
        int x = 0;
        if (vectors)
        {
            var w01 = Vector256.Create((ushort)wy[0] | (wy[1] << 16)).AsInt16();
            var w23 = Vector256.Create((ushort)wy[2] | (wy[3] << 16)).AsInt16();
            var vr = Vector256.Create(round);
            var zero = Vector256<short>.Zero;
            for (; x + 2 * Lanes <= w; x += 2 * Lanes)
            {
                var u0 = Avx.LoadVector256(r0 + x);
                var u1 = Avx.LoadVector256(r1 + x);
                var u2 = Avx.LoadVector256(r2 + x);
                var u3 = Avx.LoadVector256(r3 + x);
                var lo = Avx2.Add(Avx2.MultiplyAddAdjacent(Avx2.UnpackLow(u0, u1), w01), Avx2.MultiplyAddAdjacent(Avx2.UnpackLow(u2, u3), w23));
                var hi = Avx2.Add(Avx2.MultiplyAddAdjacent(Avx2.UnpackHigh(u0, u1), w01), Avx2.MultiplyAddAdjacent(Avx2.UnpackHigh(u2, u3), w23));
                lo = (lo + vr) >> shift;
                hi = (hi + vr) >> shift;
                // unpacklo/hi and packssdw both work within 128-bit lanes, so the columns come back in order.
                Avx.Store(output + x, Avx2.Max(Avx2.PackSignedSaturate(lo, hi), zero));
            }
        }
        for (; x < w; x++)
        {
            int v = (r0[x] * wy[0] + r1[x] * wy[1] + r2[x] * wy[2] + r3[x] * wy[3] + round) >> shift;
            output[x] = (short)Math.Clamp(v, 0, short.MaxValue);
        }
    }

    private static unsafe void CubicBlendInt(int* r0, int* r1, int* r2, int* r3, short* output, int w, short* wy, int shift)
    {
        long round = 1L << (shift - 1);
        for (int x = 0; x < w; x++)
        {
            long v = ((long)r0[x] * wy[0] + (long)r1[x] * wy[1] + (long)r2[x] * wy[2] + (long)r3[x] * wy[3] + round) >> shift;
            output[x] = (short)Math.Clamp(v, 0, short.MaxValue);
        }
    }
}
