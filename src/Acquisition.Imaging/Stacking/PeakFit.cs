using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// The per-pixel end of depth from focus, over the stacker's running state (smoothed peak b with its neighbours a
/// and c, the bin index of the peak, Σs and Σs² over the n bins): the confidence (peak − mean) / noise floor, the
/// sharpness (peak − mean) / σ, and, where both pass and the peak is not within <c>guard</c> bins of either end, the
/// Gaussian (log-parabola) fit through a, b, c for the sub-bin height. Anything else is NaN, never a guess.
/// </summary>
/// <remarks>
/// Eight pixels at a time with AVX2 (a vector logarithm and a gather of the bin heights): the scalar form in double
/// with three logarithms a pixel was most of Complete()'s CPU time. Runs once a stack, so it is compiled optimised at
/// the first call rather than starting in tier-0 code.
/// </remarks>
internal readonly struct PeakFit(int bins, int guard, float noiseFloor, float minConfidence, float minSharpness, float zOrigin)
{
    /// <summary>Fits one row; returns how many of its pixels are valid. <paramref name="z"/> is relative to zOrigin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe long Row(float* best, float* before, float* after, float* index, float* sum, float* sumSq, float* z, float* height, float* confidence, int width)
    {
        long valid = 0;
        int x = 0;
        if (Avx2.IsSupported)
        {
            var n = Vector256.Create((float)bins);
            var floor = Vector256.Create(noiseFloor);
            var minConf = Vector256.Create(minConfidence);
            var minSharp = Vector256.Create(minSharpness);
            var lowest = Vector256.Create((float)guard);
            var highest = Vector256.Create((float)(bins - 1 - guard));
            var half = Vector256.Create(0.5f);
            var origin = Vector256.Create(zOrigin);
            var nan = Vector256.Create(float.NaN);
            var one = Vector256.Create(1);
            var lastInner = Vector256.Create(Math.Max(bins - 2, 1));
            for (; x + 8 <= width; x += 8)
            {
                var mean = Vector256.Load(sum + x) / n;
                var variance = Vector256.Max(Vector256.Load(sumSq + x) / n - mean * mean, Vector256<float>.Zero);
                var peak = Vector256.Load(best + x);
                var std = Vector256.Sqrt(variance);
                var rise = peak - mean;
                var sharpness = Vector256.ConditionalSelect(Vector256.GreaterThan(std, Vector256<float>.Zero), rise / std, Vector256<float>.Zero);
                var conf = rise / floor;
                conf.Store(confidence + x);
                var i = Vector256.Load(index + x);
                var ok = Vector256.GreaterThanOrEqual(i, lowest) & Vector256.LessThanOrEqual(i, highest)
                    & Vector256.GreaterThanOrEqual(conf, minConf) & Vector256.GreaterThanOrEqual(sharpness, minSharp);
                uint bits = ok.ExtractMostSignificantBits();
                if (bits == 0)
                {
                    nan.Store(height + x);
                    continue;
                }
                var a = Vector256.Load(before + x);
                var c = Vector256.Load(after + x);
                var den = Log(a / peak * (c / peak));
                var delta = Vector256.Min(Vector256.Max(half * Log(a / c) / den, -half), half);
                var fits = Vector256.GreaterThan(a, Vector256<float>.Zero) & Vector256.GreaterThan(c, Vector256<float>.Zero) & Vector256.LessThan(den, Vector256<float>.Zero);
                delta = Vector256.ConditionalSelect(fits, delta, Vector256<float>.Zero);
                // Pixels that fail keep an in-range index for the gather; their height is NaN anyway.
                var k = Vector256.Min(Vector256.Max(Vector256.ConvertToInt32(i), one), lastInner);
                var zk = Avx2.GatherVector256(z, k, 4);
                var zNext = Avx2.GatherVector256(z, k + one, 4);
                var zPrevious = Avx2.GatherVector256(z, k - one, 4);
                var step = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(delta, Vector256<float>.Zero), zNext - zk, zk - zPrevious);
                Vector256.ConditionalSelect(ok, zk + delta * step + origin, nan).Store(height + x);
                valid += BitOperations.PopCount(bits);
            }
        }
        for (; x < width; x++)
        {
            float mean = sum[x] / bins;
            float std = MathF.Sqrt(MathF.Max(sumSq[x] / bins - mean * mean, 0));
            float rise = best[x] - mean;
            float sharpness = std > 0 ? rise / std : 0;
            float conf = rise / noiseFloor;
            confidence[x] = conf;
            int i = (int)index[x];
            if (!(i >= guard && i <= bins - 1 - guard && conf >= minConfidence && sharpness >= minSharpness))
            {
                height[x] = float.NaN;
                continue;
            }
            float a = before[x], b = best[x], c = after[x], delta = 0;
            if (a > 0 && c > 0)
            {
                float den = MathF.Log(a / b * (c / b));
                if (den < 0)
                {
                    delta = Math.Clamp(0.5f * MathF.Log(a / c) / den, -0.5f, 0.5f);
                }
            }
            height[x] = (delta >= 0 ? z[i] + delta * (z[i + 1] - z[i]) : z[i] + delta * (z[i] - z[i - 1])) + zOrigin;
            valid++;
        }
        return valid;
    }

    /// <summary>
    /// ln x for positive, finite x, to float precision: x = m·2^e with m in [√½, √2), ln m = 2 atanh s with
    /// s = (m − 1)/(m + 1) ≤ 0.172, whose series to s⁹ is exact to 10⁻¹⁰. Vector256.Log is not accelerated here (it
    /// cost 8 ns a pixel, more than the rest of the fit); other x give garbage that the caller masks.
    /// </summary>
    internal static Vector256<float> Log(Vector256<float> x)
    {
        var bits = x.AsInt32();
        var exponent = (bits >>> 23) - Vector256.Create(127);
        var mantissa = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).AsSingle();
        var large = Vector256.GreaterThan(mantissa, Vector256.Create(1.41421356f));
        mantissa = Vector256.ConditionalSelect(large, mantissa * 0.5f, mantissa);
        exponent += Vector256.ConditionalSelect(large.AsInt32(), Vector256.Create(1), Vector256<int>.Zero);
        var s = (mantissa - Vector256.Create(1f)) / (mantissa + Vector256.Create(1f));
        var s2 = s * s;
        var series = Vector256.Create(1f) + s2 * (Vector256.Create(1f / 3) + s2 * (Vector256.Create(1f / 5) + s2 * (Vector256.Create(1f / 7) + s2 * Vector256.Create(1f / 9))));
        return Vector256.ConvertToSingle(exponent) * 0.6931472f + 2f * s * series;
    }
}
