using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The noise estimate's Immerkær sum: the vectorised 8-bit path against the scalar path (taken for 16-bit images) on
/// the same pixels, for crops whose interior is not a multiple of the vector length and that sit off the image origin.
/// </summary>
public sealed class ImmerkaerSumTests
{
    [Theory]
    [InlineData(256, 300, 280, 0, 0)]
    [InlineData(37, 64, 50, 5, 9)]
    [InlineData(100, 120, 110, 3, 7)]
    public void Eight_bit_sum_equals_the_scalar_sum(int side, int w, int h, int x0, int y0)
    {
        var random = new Random(side + w);
        var values = new byte[w * h];
        random.NextBytes(values);
        using var bytes = Mat.FromPixelData(h, w, MatType.CV_8UC1, values);
        using var shorts = new Mat();
        bytes.ConvertTo(shorts, MatType.CV_16UC1);

        long vectorised = StreamingFocusStacker.ImmerkaerSum<byte>(bytes, x0, y0, side);
        long scalar = StreamingFocusStacker.ImmerkaerSum<ushort>(shorts, x0, y0, side);

        Assert.Equal(scalar, vectorised);
        Assert.True(scalar > 0);
    }
}
