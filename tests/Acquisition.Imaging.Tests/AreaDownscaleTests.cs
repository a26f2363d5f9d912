using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The registration crop's area downscale against OpenCV's INTER_AREA resize of the same image in double precision
/// (for whole factors, the exact block mean), for 8- and 16-bit sources and widths that are not multiples of the
/// vector length.
/// </summary>
public sealed class AreaDownscaleTests
{
    [Theory]
    [InlineData(1024, 512, 4, 8)]
    [InlineData(132, 68, 4, 8)]
    [InlineData(150, 90, 3, 8)]
    [InlineData(70, 34, 2, 8)]
    [InlineData(40, 30, 1, 8)]
    [InlineData(132, 68, 4, 12)]
    [InlineData(96, 48, 2, 16)]
    public void Matches_the_block_mean(int w, int h, int factor, int bits)
    {
        var random = new Random(w * 31 + factor);
        int maxValue = (1 << bits) - 1;
        var values = new double[h * w];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(maxValue + 1);
        }
        using var exact = Mat.FromPixelData(h, w, MatType.CV_64FC1, values);
        using var source = new Mat();
        exact.ConvertTo(source, bits == 8 ? MatType.CV_8UC1 : MatType.CV_16UC1);
        double scale = 1.0 / maxValue;
        using var output = new Mat();

        AreaDownscale.ToFloat(source, factor, output, scale);

        using var expected = new Mat();
        Cv2.Resize(exact, expected, new Size(w / factor, h / factor), 0, 0, InterpolationFlags.Area);
        using var expectedScaled = new Mat();
        expected.ConvertTo(expectedScaled, MatType.CV_32F, scale);
        Assert.Equal(MatType.CV_32FC1, output.Type());
        Assert.Equal(expectedScaled.Size(), output.Size());
        // Values are in [0, 1]: float rounding only.
        Assert.True(Cv2.Norm(output, expectedScaled, NormTypes.INF) <= 1e-6);
    }

    [Fact]
    public void Rejects_a_size_the_factor_does_not_divide()
    {
        using var source = new Mat(30, 42, MatType.CV_8UC1, new Scalar(7));
        using var output = new Mat();
        Assert.Throws<ArgumentException>(() => AreaDownscale.ToFloat(source, 4, output, 1));
    }
}
