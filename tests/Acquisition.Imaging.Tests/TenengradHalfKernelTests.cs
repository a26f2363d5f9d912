using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The stacker's banded 8-bit Tenengrad (gradients, tent, decimation and focus box in one pass) against the same
/// steps through OpenCV in double precision: Sobel 3×3, gx² + gy², the [1 2 1]⊗[1 2 1] tent, the even pixels, then
/// boxFilter, all BORDER_REFLECT_101. Sizes are odd and not multiples of the vector length, and tall enough for several
/// bands, so the band halos, the mirrored edges and the scalar tails are all compared.
/// </summary>
public sealed class TenengradHalfKernelTests
{
    public static TheoryData<int, int, int> Cases => new()
    {
        // width, height, box side (half-resolution pixels); 9 is beyond the fused box and takes OpenCV's boxFilter
        { 203, 301, 5 },
        { 203, 301, 3 },
        { 160, 97, 7 },
        { 18, 40, 5 },
        { 161, 67, 1 },
        { 161, 67, 9 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_OpenCV_steps(int w, int h, int window)
    {
        using var grey = TextureImage(w, h, seed: w + h + window);
        using var focus = new Mat();
        using var scratch = new Mat();

        int max = new TenengradHalfKernel().Compute(grey, focus, scratch, window, 255);

        using var expected = Reference(grey, window, 255);
        Assert.Equal(new Size((w + 1) / 2, (h + 1) / 2), focus.Size());
        Assert.Equal(MatType.CV_32FC1, focus.Type());
        Cv2.MinMaxLoc(expected, out _, out double peak);
        using var expectedFloat = new Mat();
        expected.ConvertTo(expectedFloat, MatType.CV_32F);
        double worst = Cv2.Norm(focus, expectedFloat, NormTypes.INF);
        // Float rounding of sums up to 2^30: a few parts in 10^7 of the largest value.
        Assert.True(worst <= 1e-6 * peak, $"worst difference {worst:G3} against a peak of {peak:G3}");
        Cv2.MinMaxLoc(grey, out _, out double greyMax);
        Assert.Equal((int)greyMax, max);
    }

    [Fact]
    public void Finds_a_single_saturated_pixel_anywhere_in_the_frame()
    {
        // The maximum rides on the gradient pass; the last column and the last row are handled outside its vectors.
        foreach (var (x, y) in new[] { (0, 0), (202, 0), (101, 150), (202, 300), (5, 299) })
        {
            using var grey = new Mat(301, 203, MatType.CV_8UC1, new Scalar(40));
            grey.Set(y, x, (byte)255);
            using var focus = new Mat();
            using var scratch = new Mat();
            Assert.Equal(255, new TenengradHalfKernel().Compute(grey, focus, scratch, 5, 255));
        }
    }

    private static Mat Reference(Mat grey, int window, double fullScale)
    {
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(grey, gx, MatType.CV_64F, 1, 0, 3, 1.0 / fullScale, 0, BorderTypes.Reflect101);
        Cv2.Sobel(grey, gy, MatType.CV_64F, 0, 1, 3, 1.0 / fullScale, 0, BorderTypes.Reflect101);
        using var energy = new Mat();
        Cv2.Add(gx.Mul(gx), gy.Mul(gy), energy);
        using var tented = new Mat();
        using (var tent = Mat.FromPixelData(3, 1, MatType.CV_64FC1, new double[] { 0.25, 0.5, 0.25 }))
        {
            Cv2.SepFilter2D(energy, tented, MatType.CV_64F, tent, tent, null, 0, BorderTypes.Reflect101);
        }
        int hw = (grey.Width + 1) / 2, hh = (grey.Height + 1) / 2;
        using var half = new Mat(hh, hw, MatType.CV_64FC1);
        for (int r = 0; r < hh; r++)
        {
            for (int k = 0; k < hw; k++)
            {
                half.Set(r, k, tented.At<double>(2 * r, 2 * k));
            }
        }
        var boxed = new Mat();
        Cv2.BoxFilter(half, boxed, MatType.CV_64F, new Size(window, window), normalize: true, borderType: BorderTypes.Reflect101);
        return boxed;
    }

    /// <summary>Random grey levels, lightly blurred so the gradients span the whole range without all being extreme.</summary>
    private static Mat TextureImage(int w, int h, int seed)
    {
        var random = new Random(seed);
        var values = new byte[h * w];
        random.NextBytes(values);
        using var raw = Mat.FromPixelData(h, w, MatType.CV_8UC1, values);
        var image = new Mat();
        Cv2.GaussianBlur(raw, image, new Size(3, 3), 0.6);
        return image;
    }
}
