using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// The stacker's default focus measure for 8-bit slices, straight at half resolution: gx² + gy² (Sobel 3×3,
/// BORDER_REFLECT_101) smoothed by a [1 2 1]⊗[1 2 1] tent, sampled at the even pixels (where pyrDown samples, so the
/// depth map keeps pyrDown's geometry), then the focus window as a normalised box of half-resolution pixels.
/// The same as OpenCV's Sobel, multiply, sepFilter2D, decimation and boxFilter (the 16-bit path), in one banded pass
/// that writes nothing frame-sized: the gradients are 16-bit rows in a three-row cache, the tent and the box sum
/// exact integers. Not thread-safe: one instance per stacker.
/// </summary>
internal sealed class TenengradHalfKernel
{
    private short[] _gradientRows = [];
    // Per band: one tent row and the ring of box-filtered rows (int32).
    private int[] _boxRows = [];
    private int[] _bandMaxima = [];

    /// <summary>
    /// Writes the focus map of the 8-bit <paramref name="grey"/> (at least 18 px wide) into
    /// <paramref name="focusHalf"/> (CV_32FC1, ⌈w/2⌉ × ⌈h/2⌉), in units of (grey / <paramref name="fullScale"/>)²,
    /// boxed over <paramref name="window"/> × <paramref name="window"/> half-resolution pixels (odd).
    /// <paramref name="energyScratch"/> holds the unboxed map when the box is too large to fuse. Returns the
    /// largest grey value of the slice, which the saturation check needs and this pass reads anyway.
    /// </summary>
    public unsafe int Compute(Mat grey, Mat focusHalf, Mat energyScratch, int window, double fullScale)
    {
        if (grey.Type() != MatType.CV_8UC1 || grey.Width < 18)
        {
            throw new ArgumentException("The kernel takes single-channel 8-bit images at least 18 px wide.", nameof(grey));
        }
        if (window < 1 || window % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The focus box must have an odd side.");
        }
        int w = grey.Width, h = grey.Height, hw = (w + 1) / 2, hh = (h + 1) / 2;
        // |gx|, |gy| ≤ 4·255, so each square fits 2^20 and the tent's 16 weighted squares fit an int32.
        // The Sobel gradients are computed a row at a time into a three-row cache per band of output rows
        // (rows 2r − 1, 2r, 2r + 1; row 2r + 1 serves the next output row too), never as frame-sized images:
        // the two 16-bit gradient frames were 20 MB written and read again per slice.
        // The focus window's box runs in the same pass, on the exact integer tent sums (below 2^25, so a box of
        // up to 7 × 7 sums exactly in an int32): a ring of box-filtered rows per band, the box's halo rows
        // recomputed at band edges. OpenCV's boxFilter over the float map was a second pass over 10 MB, ≈ 1 ms
        // CPU a slice.
        bool fused = window <= MaxFusedBoxWindow && hw >= window && hh >= window;
        if (!fused)
        {
            energyScratch.Create(hh, hw, MatType.CV_32FC1);
        }
        focusHalf.Create(hh, hw, MatType.CV_32FC1);
        int bands = Math.Clamp(hh / 16, 1, 4 * Environment.ProcessorCount);
        long needed = (long)bands * 6 * w;
        if (_gradientRows.Length < needed)
        {
            _gradientRows = new short[needed];
        }
        int boxStride = (window + 1) * hw;
        if (_boxRows.Length < (long)bands * boxStride)
        {
            _boxRows = new int[(long)bands * boxStride];
        }
        if (_bandMaxima.Length < bands)
        {
            _bandMaxima = new int[bands];
        }
        var cache = _gradientRows;
        var boxCache = _boxRows;
        var maxima = _bandMaxima;
        var source = grey;
        var energy = energyScratch;
        var focus = focusHalf;
        float norm = (float)(1.0 / (16.0 * fullScale * fullScale));
        float boxNorm = (float)(1.0 / (16.0 * fullScale * fullScale * window * window));
        Parallel.For(0, bands, band =>
        {
            fixed (short* rows = cache)
            fixed (int* boxRows = boxCache)
            {
                short* slots = rows + (long)band * 6 * w;
                int* tent = boxRows + (long)band * boxStride;
                int* ring = tent + hw;
                Span<int> tags = [-1, -1, -1];
                Span<int> ringTags = stackalloc int[window];
                ringTags.Fill(-1);
                int max = 0;
                int r0 = (int)((long)hh * band / bands), r1 = (int)((long)hh * (band + 1) / bands);
                for (int r = r0; r < r1; r++)
                {
                    if (!fused)
                    {
                        TentRowInts(source, slots, tags, r, w, h, hw, tent, ref max);
                        float* o = (float*)energy.Ptr(r);
                        for (int k = 0; k < hw; k++)
                        {
                            o[k] = norm * tent[k];
                        }
                        continue;
                    }
                    int radius = window / 2;
                    for (int d = -radius; d <= radius; d++)
                    {
                        int e = BorderIndex.Reflect101(r + d, hh);
                        if (ringTags.Contains(e))
                        {
                            continue;
                        }
                        // A slot none of this output row's rows holds (there are as many slots as rows).
                        int slot = 0;
                        while (ringTags[slot] >= 0 && InWindow(ringTags[slot], r, radius, hh))
                        {
                            slot++;
                        }
                        ringTags[slot] = e;
                        TentRowInts(source, slots, tags, e, w, h, hw, tent, ref max);
                        BoxRow(tent, ring + slot * hw, hw, radius);
                    }
                    float* f = (float*)focus.Ptr(r);
                    SumRows(ring, ringTags, r, radius, hh, hw, f, boxNorm);
                }
                maxima[band] = max;
            }
        });
        int largest = 0;
        for (int band = 0; band < bands; band++)
        {
            // Every row is some band's centre row once (rows 2r − 1, 2r, 2r + 1 cover the frame).
            largest = Math.Max(largest, maxima[band]);
        }
        if (!fused)
        {
            Cv2.BoxFilter(energyScratch, focusHalf, MatType.CV_32F, new Size(window, window), normalize: true, borderType: BorderTypes.Reflect101);
        }
        return largest;
    }

    /// <summary>Largest focus box (half-resolution pixels) whose sums of tent values (each below 2^25) fit an int32.</summary>
    private const int MaxFusedBoxWindow = 7;

    /// <summary>Whether half-resolution row <paramref name="row"/> is one of the rows output row <paramref name="r"/>'s box reads.</summary>
    private static bool InWindow(int row, int r, int radius, int hh)
    {
        for (int d = -radius; d <= radius; d++)
        {
            if (BorderIndex.Reflect101(r + d, hh) == row)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The exact integer tent sums (gx² + gy² smoothed by [1 2 1]⊗[1 2 1]) of half-resolution row <paramref name="r"/>,
    /// from the Sobel rows 2r − 1, 2r and 2r + 1 (cached, see <see cref="GradientSlot"/>).
    /// </summary>
    private static unsafe void TentRowInts(Mat source, short* slots, Span<int> tags, int r, int w, int h, int hw, int* tent, ref int max)
    {
        int y1 = 2 * r, y0 = BorderIndex.Reflect101(y1 - 1, h), y2 = BorderIndex.Reflect101(y1 + 1, h);
        int s0 = GradientSlot(source, slots, tags, y0, y1, y2, w, h, ref max);
        int s1 = GradientSlot(source, slots, tags, y1, y0, y2, w, h, ref max);
        int s2 = GradientSlot(source, slots, tags, y2, y0, y1, w, h, ref max);
        short* x0 = slots + 2 * s0 * w, v0 = x0 + w;
        short* x1 = slots + 2 * s1 * w, v1 = x1 + w;
        short* x2 = slots + 2 * s2 * w, v2 = x2 + w;
        int k = 1;
        if (Avx2.IsSupported)
        {
            // Output k needs columns 2k − 1 … 2k + 1; a vector of 8 outputs reads 2k − 1 … 2k + 15.
            for (; 2 * k + 16 <= w; k += 8)
            {
                var row0 = TentRow(x0, v0, 2 * k);
                var row1 = TentRow(x1, v1, 2 * k);
                var row2 = TentRow(x2, v2, 2 * k);
                Avx.Store(tent + k, Avx2.Add(Avx2.Add(row0, row2), Avx2.ShiftLeftLogical(row1, 1)));
            }
        }
        tent[0] = (int)TentAt(x0, v0, x1, v1, x2, v2, 0, w);
        for (; k < hw; k++)
        {
            tent[k] = (int)TentAt(x0, v0, x1, v1, x2, v2, k, w);
        }
    }

    /// <summary>Horizontal box sum of 2·radius + 1 columns of a tent row (columns mirrored as BORDER_REFLECT_101).</summary>
    private static unsafe void BoxRow(int* tent, int* box, int hw, int radius)
    {
        int k = radius;
        if (Avx2.IsSupported)
        {
            for (; k + radius + 8 <= hw; k += 8)
            {
                var sum = Avx.LoadVector256(tent + k - radius);
                for (int d = 1 - radius; d <= radius; d++)
                {
                    sum = Avx2.Add(sum, Avx.LoadVector256(tent + k + d));
                }
                Avx.Store(box + k, sum);
            }
        }
        for (; k < hw; k++)
        {
            box[k] = BoxAt(tent, k, hw, radius);
        }
        for (k = 0; k < Math.Min(radius, hw); k++)
        {
            box[k] = BoxAt(tent, k, hw, radius);
        }
    }

    private static unsafe int BoxAt(int* tent, int k, int hw, int radius)
    {
        int sum = 0;
        for (int d = -radius; d <= radius; d++)
        {
            sum += tent[BorderIndex.Reflect101(k + d, hw)];
        }
        return sum;
    }

    /// <summary>Focus row <paramref name="r"/>: the vertical sum of its box rows (rows mirrored), times the box's normalisation.</summary>
    private static unsafe void SumRows(int* ring, Span<int> ringTags, int r, int radius, int hh, int hw, float* focus, float boxNorm)
    {
        // Up to 7 rows; a mirrored row at the frame's edge is summed once per occurrence, as the box does.
        Span<nint> rows = stackalloc nint[2 * radius + 1];
        for (int d = -radius; d <= radius; d++)
        {
            rows[d + radius] = (nint)(ring + ringTags.IndexOf(BorderIndex.Reflect101(r + d, hh)) * hw);
        }
        int k = 0;
        if (Avx2.IsSupported)
        {
            var scale = Vector256.Create(boxNorm);
            for (; k + 8 <= hw; k += 8)
            {
                var sum = Avx.LoadVector256((int*)rows[0] + k);
                for (int i = 1; i < rows.Length; i++)
                {
                    sum = Avx2.Add(sum, Avx.LoadVector256((int*)rows[i] + k));
                }
                Avx.Store(focus + k, Avx.Multiply(Avx.ConvertToVector256Single(sum), scale));
            }
        }
        for (; k < hw; k++)
        {
            int sum = 0;
            for (int i = 0; i < rows.Length; i++)
            {
                sum += ((int*)rows[i])[k];
            }
            focus[k] = sum * boxNorm;
        }
    }

    /// <summary>
    /// The cache slot (0–2) holding the Sobel gradients of row <paramref name="y"/>, computed into a slot that holds
    /// neither of the other two rows the output row needs if it is not cached yet.
    /// </summary>
    private static unsafe int GradientSlot(Mat grey, short* slots, Span<int> tags, int y, int other1, int other2, int w, int h, ref int max)
    {
        for (int i = 0; i < 3; i++)
        {
            if (tags[i] == y)
            {
                return i;
            }
        }
        int slot = 0;
        while (tags[slot] == other1 || tags[slot] == other2)
        {
            slot++;
        }
        tags[slot] = y;
        max = Math.Max(max, SobelRow((byte*)grey.Ptr(BorderIndex.Reflect101(y - 1, h)), (byte*)grey.Ptr(y), (byte*)grey.Ptr(BorderIndex.Reflect101(y + 1, h)), slots + 2 * slot * w, slots + (2 * slot + 1) * w, w));
        return slot;
    }

    /// <summary>
    /// 3×3 Sobel gx and gy of one row of an 8-bit image (rows <paramref name="above"/>, <paramref name="row"/>,
    /// <paramref name="below"/>; columns mirrored as BORDER_REFLECT_101), as cv::Sobel with ksize 3 gives them.
    /// Returns the maximum of <paramref name="row"/> (the saturation check's, free here).
    /// </summary>
    private static unsafe int SobelRow(byte* above, byte* row, byte* below, short* gx, short* gy, int w)
    {
        int c = 1;
        int max = Math.Max(row[0], row[w - 1]);
        if (Avx2.IsSupported)
        {
            var peak = Vector256<short>.Zero;
            for (; c + 17 <= w; c += 16)
            {
                var al = Avx2.ConvertToVector256Int16(above + c - 1);
                var ac = Avx2.ConvertToVector256Int16(above + c);
                var ar = Avx2.ConvertToVector256Int16(above + c + 1);
                var ml = Avx2.ConvertToVector256Int16(row + c - 1);
                var mr = Avx2.ConvertToVector256Int16(row + c + 1);
                var bl = Avx2.ConvertToVector256Int16(below + c - 1);
                var bc = Avx2.ConvertToVector256Int16(below + c);
                var br = Avx2.ConvertToVector256Int16(below + c + 1);
                // Columns c − 1 … c + 16 of the row: the whole row over the loop and the tail below.
                peak = Avx2.Max(peak, Avx2.Max(ml, mr));
                var right = ar + (mr << 1) + br;
                var left = al + (ml << 1) + bl;
                Avx.Store(gx + c, right - left);
                var top = al + (ac << 1) + ar;
                var bottom = bl + (bc << 1) + br;
                Avx.Store(gy + c, bottom - top);
            }
            max = Math.Max(max, MaxOf(Vector128.Max(peak.GetLower(), peak.GetUpper())));
        }
        for (; c < w - 1; c++)
        {
            max = Math.Max(max, row[c]);
            SobelAt(above, row, below, gx, gy, c, c - 1, c + 1);
        }
        SobelAt(above, row, below, gx, gy, 0, BorderIndex.Reflect101(-1, w), 1);
        SobelAt(above, row, below, gx, gy, w - 1, w - 2, BorderIndex.Reflect101(w, w));
        return max;
    }

    private static int MaxOf(Vector128<short> v)
    {
        int max = 0;
        for (int i = 0; i < Vector128<short>.Count; i++)
        {
            max = Math.Max(max, v.GetElement(i));
        }
        return max;
    }

    private static unsafe void SobelAt(byte* above, byte* row, byte* below, short* gx, short* gy, int c, int l, int r)
    {
        gx[c] = (short)(above[r] + 2 * row[r] + below[r] - above[l] - 2 * row[l] - below[l]);
        gy[c] = (short)(below[l] + 2 * below[c] + below[r] - above[l] - 2 * above[c] - above[r]);
    }

    /// <summary>g(2k − 1) + 2 g(2k) + g(2k + 1) for 8 consecutive k, g = gx² + gy², from 16-bit gradient rows.</summary>
    private static unsafe Vector256<int> TentRow(short* gx, short* gy, int column)
    {
        var ax = Avx.LoadVector256(gx + column);
        var bx = Avx.LoadVector256(gx + column - 1);
        var ay = Avx.LoadVector256(gy + column);
        var by = Avx.LoadVector256(gy + column - 1);
        // pmaddwd pairs (2k, 2k + 1) in one load and (2k − 1, 2k) in the other: together the horizontal tent.
        var x = Avx2.Add(Avx2.MultiplyAddAdjacent(ax, ax), Avx2.MultiplyAddAdjacent(bx, bx));
        var y = Avx2.Add(Avx2.MultiplyAddAdjacent(ay, ay), Avx2.MultiplyAddAdjacent(by, by));
        return Avx2.Add(x, y);
    }

    private static unsafe float TentAt(short* x0, short* v0, short* x1, short* v1, short* x2, short* v2, int k, int w)
    {
        long total = 0;
        for (int dx = -1; dx <= 1; dx++)
        {
            int c = BorderIndex.Reflect101(2 * k + dx, w);
            long weight = dx == 0 ? 2 : 1;
            long column = (long)x0[c] * x0[c] + (long)v0[c] * v0[c]
                + 2 * ((long)x1[c] * x1[c] + (long)v1[c] * v1[c])
                + (long)x2[c] * x2[c] + (long)v2[c] * v2[c];
            total += weight * column;
        }
        return total;
    }
}
