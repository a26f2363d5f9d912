using Acquisition.Imaging.Stacking;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The stacker's per-row depth kernels, driven bin by bin as the stacker drives them (first box A_j = Σ f over
/// ±h, second box over the A, normalised by the slices it covered, edges truncated), against the smoothed curve
/// computed directly in double: the peak, its index and neighbours, Σs and Σs², over a row whose width leaves a
/// scalar tail.
/// </summary>
public sealed class DepthRowsTests
{
    [Theory]
    [InlineData(2, 12)]
    [InlineData(4, 15)]
    [InlineData(1, 5)]
    public unsafe void Streaming_rows_reproduce_the_directly_smoothed_curve(int half, int bins)
    {
        const int Width = 203;
        var random = new Random(half * 100 + bins);
        var f = new float[bins][];
        for (int i = 0; i < bins; i++)
        {
            f[i] = new float[Width];
        }
        for (int x = 0; x < Width; x++)
        {
            // Gaussian focus curves with the peak anywhere (also at or beyond either end) on a noisy floor.
            double centre = random.NextDouble() * (bins + 4) - 2, sigma = 1 + 3 * random.NextDouble();
            for (int i = 0; i < bins; i++)
            {
                f[i][x] = (float)(0.05 + random.NextDouble() * 0.02 + Math.Exp(-0.5 * Math.Pow((i - centre) / sigma, 2)));
            }
        }

        // Direct: A_j, then s_j = Σ A_k over k within ±h of j and inside the stack, divided by the slices covered.
        int Count(int j) => Math.Min(j + half, bins - 1) - Math.Max(j - half, 0) + 1;
        var s = new double[bins, Width];
        for (int j = 0; j < bins; j++)
        {
            int weight = 0;
            for (int k = Math.Max(0, j - half); k <= Math.Min(bins - 1, j + half); k++)
            {
                weight += Count(k);
            }
            for (int x = 0; x < Width; x++)
            {
                double total = 0;
                for (int k = Math.Max(0, j - half); k <= Math.Min(bins - 1, j + half); k++)
                {
                    for (int i = Math.Max(0, k - half); i <= Math.Min(bins - 1, k + half); i++)
                    {
                        total += f[i][x];
                    }
                }
                s[j, x] = total / weight;
            }
        }

        // Streaming, in the stacker's order: A_0 from the first h + 1 bins, then A_j = (A_(j−1) + f_(j+h)) − f_(j−h−1);
        // bin 0 starts the peak, later bins are tracked once the last A of their window is in.
        var a = new float[bins][];
        var box = new float[Width];
        var best = new float[Width];
        var before = new float[Width];
        var after = new float[Width];
        var index = new float[Width];
        var sum = new float[Width];
        var sumSq = new float[Width];
        float previousScale = 0;
        for (int j = 0; j < bins; j++)
        {
            a[j] = new float[Width];
            if (j == 0)
            {
                for (int i = 0; i <= Math.Min(half, bins - 1); i++)
                {
                    for (int x = 0; x < Width; x++)
                    {
                        a[0][x] += f[i][x];
                    }
                }
                continue;
            }
            fixed (float* previous = a[j - 1], target = a[j], enter = j + half < bins ? f[j + half] : null, leave = j - half - 1 >= 0 ? f[j - half - 1] : null)
            {
                DepthRows.AddSubtract(previous, enter, leave, target, Width);
            }
        }
        for (int j = 0; j < bins; j++)
        {
            int weight = 0;
            for (int k = Math.Max(0, j - half); k <= Math.Min(bins - 1, j + half); k++)
            {
                weight += Count(k);
            }
            float scale = (float)(1.0 / weight);
            if (j == 0)
            {
                for (int x = 0; x < Width; x++)
                {
                    for (int k = 0; k <= Math.Min(half, bins - 1); k++)
                    {
                        box[x] += a[k][x];
                    }
                    best[x] = before[x] = after[x] = sum[x] = box[x] * scale;
                    sumSq[x] = sum[x] * sum[x];
                }
            }
            else
            {
                fixed (float* pbox = box, enter = j + half < bins ? a[j + half] : null, leave = j - half - 1 >= 0 ? a[j - half - 1] : null,
                    pbest = best, pbefore = before, pafter = after, pindex = index, psum = sum, psq = sumSq)
                {
                    DepthRows.Track(pbox, enter, leave, pbest, pbefore, pafter, pindex, psum, psq, Width, j, scale, previousScale);
                }
            }
            previousScale = scale;
        }

        int interior = 0;
        for (int x = 0; x < Width; x++)
        {
            int peak = 0;
            double total = 0, totalSq = 0;
            for (int j = 0; j < bins; j++)
            {
                total += s[j, x];
                totalSq += s[j, x] * s[j, x];
                if (s[j, x] > s[peak, x])
                {
                    peak = j;
                }
            }
            const double Tolerance = 1e-5;
            Assert.True(Math.Abs(index[x] - peak) < 0.5 || Math.Abs(s[(int)index[x], x] - s[peak, x]) < Tolerance,
                $"pixel {x}: index {index[x]}, expected {peak}");
            int i = (int)index[x];
            Assert.Equal(s[i, x], best[x], Tolerance);
            Assert.Equal(s[Math.Max(i - 1, 0), x], before[x], Tolerance);
            if (i < bins - 1)
            {
                Assert.Equal(s[i + 1, x], after[x], Tolerance);
            }
            if (i > 0 && i < bins - 1)
            {
                interior++;
            }
            Assert.Equal(total, sum[x], Tolerance * bins);
            Assert.Equal(totalSq, sumSq[x], Tolerance * bins);
        }
        // Peaks inside the stack (both neighbours checked) and at its ends must both occur, or the test proves little.
        Assert.InRange(interior, 10, Width - 10);
    }
}
