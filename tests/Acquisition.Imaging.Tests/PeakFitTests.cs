using System.Runtime.Intrinsics;
using Acquisition.Imaging.Stacking;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The vectorised end of depth from focus against a double-precision evaluation of the same rules (confidence,
/// sharpness, end guard, log-parabola fit, bin heights that are not evenly spaced), over a row whose width leaves
/// a scalar tail, and its logarithm against Math.Log.
/// </summary>
public sealed class PeakFitTests
{
    [Fact]
    public void Vector_logarithm_matches_Math_Log_to_float_precision_over_the_positive_range()
    {
        var random = new Random(3);
        double worst = 0;
        for (int i = 0; i < 20000; i++)
        {
            float x = (float)Math.Exp(random.NextDouble() * 160 - 80);
            float result = PeakFit.Log(Vector256.Create(x)).GetElement(0);
            worst = Math.Max(worst, Math.Abs(result - Math.Log(x)) / Math.Max(1, Math.Abs(Math.Log(x))));
        }
        foreach (float x in new[] { 1f, 1.41421f, 1.41422f, 0.70710f, 2f, 0.5f, 1e-30f, 3e30f })
        {
            float result = PeakFit.Log(Vector256.Create(x)).GetElement(0);
            worst = Math.Max(worst, Math.Abs(result - Math.Log(x)) / Math.Max(1, Math.Abs(Math.Log(x))));
        }
        Assert.True(worst < 3e-7, $"worst relative error {worst:E2}");
    }

    [Fact]
    public unsafe void Row_matches_a_double_precision_reference_pixel_for_pixel()
    {
        const int Bins = 12, Guard = 2, Width = 203;
        const float NoiseFloor = 0.01f, MinConfidence = 2f, MinSharpness = 1.2f, Origin = 1500f;
        var random = new Random(7);
        // Uneven bins, as a stack with a dropped slice or merged bins has.
        var z = new float[Bins + 2];
        for (int i = 1; i < Bins; i++)
        {
            z[i] = z[i - 1] + 1.5f + (float)random.NextDouble();
        }
        float[] best = new float[Width], before = new float[Width], after = new float[Width], index = new float[Width], sum = new float[Width], sumSq = new float[Width];
        for (int x = 0; x < Width; x++)
        {
            // A Gaussian focus curve with a random peak position, width and noise floor, some peaks at the ends,
            // some flat (no texture), some with a neighbour at zero (no log fit).
            double centre = random.NextDouble() * (Bins + 2) - 1, sigma = 1 + 2 * random.NextDouble(), floor = 0.01 + 0.02 * random.NextDouble();
            double amplitude = x % 7 == 0 ? 0.001 : 0.2 * random.NextDouble();
            var s = Enumerable.Range(0, Bins).Select(i => (float)(floor + amplitude * Math.Exp(-0.5 * Math.Pow((i - centre) / sigma, 2)))).ToArray();
            int peak = Array.IndexOf(s, s.Max());
            best[x] = s[peak];
            before[x] = peak > 0 ? s[peak - 1] : s[peak];
            after[x] = peak < Bins - 1 ? s[peak + 1] : s[peak];
            if (x % 11 == 0)
            {
                before[x] = 0;
            }
            index[x] = peak;
            sum[x] = s.Sum();
            sumSq[x] = s.Sum(v => v * v);
        }
        var height = new float[Width];
        var confidence = new float[Width];
        long valid;
        fixed (float* pb = best, pa = before, pc = after, pi = index, ps = sum, pq = sumSq, pz = z, ph = height, pconf = confidence)
        {
            valid = new PeakFit(Bins, Guard, NoiseFloor, MinConfidence, MinSharpness, Origin).Row(pb, pa, pc, pi, ps, pq, pz, ph, pconf, Width);
        }

        int expectedValid = 0, checkedFits = 0;
        for (int x = 0; x < Width; x++)
        {
            double mean = sum[x] / (double)Bins, std = Math.Sqrt(Math.Max(sumSq[x] / (double)Bins - mean * mean, 0));
            double conf = (best[x] - mean) / NoiseFloor, sharpness = std > 0 ? (best[x] - mean) / std : 0;
            Assert.Equal(conf, confidence[x], 1e-3 * Math.Max(1, Math.Abs(conf)));
            int i = (int)index[x];
            // Pixels within rounding of a threshold may go either way.
            if (Math.Abs(conf - MinConfidence) < 1e-3 || Math.Abs(sharpness - MinSharpness) < 1e-3)
            {
                if (!float.IsNaN(height[x]))
                {
                    expectedValid++;
                }
                continue;
            }
            bool ok = i >= Guard && i <= Bins - 1 - Guard && conf >= MinConfidence && sharpness >= MinSharpness;
            if (!ok)
            {
                Assert.True(float.IsNaN(height[x]), $"pixel {x} (index {i}, confidence {conf:0.00}, sharpness {sharpness:0.00}) must be NaN");
                continue;
            }
            expectedValid++;
            double delta = 0;
            if (before[x] > 0 && after[x] > 0)
            {
                double la = Math.Log(before[x]), lb = Math.Log(best[x]), lc = Math.Log(after[x]), den = la - 2 * lb + lc;
                if (den < 0)
                {
                    delta = Math.Clamp(0.5 * (la - lc) / den, -0.5, 0.5);
                }
            }
            double expected = Origin + (delta >= 0 ? z[i] + delta * (z[i + 1] - z[i]) : z[i] + delta * (z[i] - z[i - 1]));
            Assert.Equal(expected, height[x], 2e-3);
            checkedFits++;
        }
        Assert.Equal(expectedValid, valid);
        // The data must exercise both outcomes, or the comparison proves little.
        Assert.InRange(checkedFits, 30, Width - 30);
    }
}
