using System.Runtime.Intrinsics;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// The per-row kernels of the stacker's streaming depth state (two running boxes over the binned focus maps, then
/// the running peak of the smoothed curve with its neighbours, index, Σs and Σs²). Rows, not images, because every
/// step touches only its own row of every image: the depth tail of Complete() runs all its remaining steps and the
/// peak fit row by row in one pass, while each row's state is in the cache, instead of a pass over the whole
/// state per step.
/// </summary>
internal static class DepthRows
{
    /// <summary>o = (a + p) − m over one row (p or m null when absent); o may be a. Rounded as Cv2.Add then Cv2.Subtract.</summary>
    public static unsafe void AddSubtract(float* a, float* p, float* m, float* o, int w)
    {
        int x = 0;
        for (; x + 8 <= w; x += 8)
        {
            var v = Vector256.Load(a + x);
            if (p is not null)
            {
                v += Vector256.Load(p + x);
            }
            if (m is not null)
            {
                v -= Vector256.Load(m + x);
            }
            v.Store(o + x);
        }
        for (; x < w; x++)
        {
            float v = a[x];
            if (p is not null)
            {
                v += p[x];
            }
            if (m is not null)
            {
                v -= m[x];
            }
            o[x] = v;
        }
    }

    /// <summary>
    /// One bin j of the peak tracking over one row: the second box sum moves on by <paramref name="enter"/> and
    /// <paramref name="leave"/> (null when absent), s = box · <paramref name="scale"/>; where the peak sat at bin
    /// j − 1 its right-hand neighbour becomes s; where s beats the peak, the peak becomes s at index j with the
    /// left-hand neighbour box_before · <paramref name="previousScale"/> (the previous bin's s, computed the same
    /// way); Σs and Σs² grow by s and s². Vectors of pixels none of which changes are not stored back (most pixels
    /// past their peak change nothing but the sums, and an unwritten cache line costs no write-back).
    /// </summary>
    public static unsafe void Track(float* box, float* enter, float* leave, float* best, float* before, float* after, float* index,
        float* sum, float* sumSq, int w, int j, float scale, float previousScale)
    {
        float previous = j - 1, current = j;
        int x = 0;
        var vscale = Vector256.Create(scale);
        var vpreviousScale = Vector256.Create(previousScale);
        var vprevious = Vector256.Create(previous);
        var vcurrent = Vector256.Create(current);
        for (; x + 8 <= w; x += 8)
        {
            var oldBox = Vector256.Load(box + x);
            var newBox = oldBox;
            if (enter is not null)
            {
                newBox += Vector256.Load(enter + x);
            }
            if (leave is not null)
            {
                newBox -= Vector256.Load(leave + x);
            }
            newBox.Store(box + x);
            var smoothed = newBox * vscale;
            var peakIndex = Vector256.Load(index + x);
            var isAfter = Vector256.Equals(peakIndex, vprevious);
            if (isAfter != Vector256<float>.Zero)
            {
                Vector256.ConditionalSelect(isAfter, smoothed, Vector256.Load(after + x)).Store(after + x);
            }
            var peak = Vector256.Load(best + x);
            var higher = Vector256.GreaterThan(smoothed, peak);
            if (higher != Vector256<float>.Zero)
            {
                Vector256.ConditionalSelect(higher, oldBox * vpreviousScale, Vector256.Load(before + x)).Store(before + x);
                Vector256.ConditionalSelect(higher, smoothed, peak).Store(best + x);
                Vector256.ConditionalSelect(higher, vcurrent, peakIndex).Store(index + x);
            }
            (Vector256.Load(sum + x) + smoothed).Store(sum + x);
            (Vector256.Load(sumSq + x) + smoothed * smoothed).Store(sumSq + x);
        }
        for (; x < w; x++)
        {
            float oldBox = box[x], newBox = oldBox;
            if (enter is not null)
            {
                newBox += enter[x];
            }
            if (leave is not null)
            {
                newBox -= leave[x];
            }
            box[x] = newBox;
            float smoothed = newBox * scale;
            if (index[x] == previous)
            {
                after[x] = smoothed;
            }
            if (smoothed > best[x])
            {
                before[x] = oldBox * previousScale;
                best[x] = smoothed;
                index[x] = current;
            }
            sum[x] += smoothed;
            sumSq[x] += smoothed * smoothed;
        }
    }

    /// <summary>Row addresses of a CV_32F Mat (or of none: null rows) without a native call per row.</summary>
    public readonly unsafe struct Rows(Mat? mat)
    {
        private readonly byte* _data = mat is null ? null : (byte*)mat.Data;
        private readonly long _step = mat is null ? 0 : mat.Step();

        public float* Row(int y) => _data is null ? null : (float*)(_data + y * _step);
    }
}
