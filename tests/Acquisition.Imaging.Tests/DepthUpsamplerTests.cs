using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The half- to full-resolution depth upsampling against a direct evaluation of its definition: per axis, output
/// 2i = ⅛(v[i−1] + v[i+1]) + ¾v[i] and output 2i + 1 = ½(v[i] + v[i+1]) (reflect-101 at the edges), applied to the
/// heights with NaN as 0, to their validity and to the confidence; height = blend / weight where the weight ≥ ½.
/// Odd and even full sizes and widths that leave a scalar tail.
/// </summary>
public sealed class DepthUpsamplerTests
{
    [Theory]
    [InlineData(23, 17, 46, 34)]
    [InlineData(23, 17, 45, 33)]
    [InlineData(40, 9, 80, 17)]
    public unsafe void Upsampling_matches_the_normalised_convolution_it_defines(int hw, int hh, int fw, int fh)
    {
        var random = new Random(hw * 31 + fw);
        using var height = new Mat(hh, hw, MatType.CV_32FC1);
        using var confidence = new Mat(hh, hw, MatType.CV_32FC1);
        for (int y = 0; y < hh; y++)
        {
            for (int x = 0; x < hw; x++)
            {
                // Blocks of NaN as well as isolated ones, so that both outcomes of the ≥ ½ rule occur.
                bool invalid = random.NextDouble() < 0.2 || (x > hw / 2 && y < hh / 3);
                height.Set(y, x, invalid ? float.NaN : (float)(random.NextDouble() * 40 - 20));
                confidence.Set(y, x, (float)(random.NextDouble() * 10));
            }
        }

        var (heightUp, confidenceUp, valid) = DepthUpsampler.Upsample(height, confidence, new Size(fw, fh));
        using (heightUp)
        using (confidenceUp)
        {
            Assert.Equal(new Size(fw, fh), heightUp.Size());
            long expectedValid = 0;
            int nan = 0;
            for (int y = 0; y < fh; y++)
            {
                for (int x = 0; x < fw; x++)
                {
                    double f = 0, w = 0, c = 0;
                    foreach (var (row, wy) in Taps(y, hh))
                    {
                        foreach (var (column, wx) in Taps(x, hw))
                        {
                            float v = height.At<float>(row, column);
                            double weight = wy * wx;
                            if (!float.IsNaN(v))
                            {
                                f += weight * v;
                                w += weight;
                            }
                            c += weight * confidence.At<float>(row, column);
                        }
                    }
                    Assert.Equal(c, confidenceUp.At<float>(y, x), 1e-4);
                    float actual = heightUp.At<float>(y, x);
                    if (Math.Abs(w - 0.5) < 1e-6)
                    {
                        // Exactly on the threshold: rounding decides.
                        expectedValid += float.IsNaN(actual) ? 0 : 1;
                        continue;
                    }
                    if (w < 0.5)
                    {
                        Assert.True(float.IsNaN(actual), $"({x}, {y}) has weight {w:0.000} and must be NaN");
                        nan++;
                        continue;
                    }
                    expectedValid++;
                    Assert.Equal(f / w, actual, 1e-3);
                }
            }
            Assert.Equal(expectedValid, valid);
            Assert.True(nan > 0 && expectedValid > 0, "the data must produce both valid and invalid pixels");
        }
    }

    /// <summary>The source indices and weights of output <paramref name="o"/> along one axis of <paramref name="n"/> inputs.</summary>
    private static IEnumerable<(int Index, double Weight)> Taps(int o, int n)
    {
        int i = o / 2;
        if (o % 2 == 0)
        {
            yield return (Reflect(i - 1, n), 0.125);
            yield return (i, 0.75);
            yield return (Reflect(i + 1, n), 0.125);
        }
        else
        {
            yield return (i, 0.5);
            yield return (Reflect(i + 1, n), 0.5);
        }
    }

    private static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}
