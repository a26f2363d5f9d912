using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The stacker's separable bilinear and cubic warps against a direct double-precision interpolation with replicated
/// borders (each tap clamped, as OpenCV's BORDER_REPLICATE does), for the scales and shifts a stack produces and for
/// frames whose width is not a multiple of the vector length.
/// </summary>
public sealed class AxisAlignedWarpTests
{
    public static TheoryData<int, int, double, double, double> Transforms => new()
    {
        // width, height, scale a, x offset, y offset (source = a · output + offset)
        { 203, 67, 1.0, 0.37, -0.81 },
        { 203, 67, 1.0, -3.5, 2.25 },
        { 160, 48, 1.0 / (1 + 6e-4), 0.4, 0.9 },
        { 161, 97, 1.0 / (1 - 0.018), -1.7, 2.6 },
        { 64, 40, 1.3, -5.2, 7.9 },
    };

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Eight_bit_warp_matches_exact_bilinear_within_its_weight_quantisation(int w, int h, double a, double bx, double by)
    {
        using var source = RandomImage(w, h, MatType.CV_8UC1, 255, 1);
        using var output = new Mat();
        new AxisAlignedWarp().WarpToShort(source, output, a, bx, by, log2Gain: 7);

        Assert.Equal(MatType.CV_16SC1, output.Type());
        var (worst, mean) = Compare(source, output, a, bx, by, gain: 128);
        // Weights are 1/256 px: at most 1/512 px of position error per axis on steps of up to 255 grey levels (random
        // pixels are the worst case) is 0.5 level per axis, plus rounding; 128 units of the 16-bit output are one
        // grey level. On average the steps are 85 levels and the error a quarter of the worst.
        Assert.True(worst <= 2 * 0.5 * 128 + 1, $"worst error {worst} units");
        Assert.True(mean <= 0.25 * 128, $"mean error {mean} units");
    }

    [Fact]
    public void Sixteen_bit_warp_scales_a_12_bit_frame_to_the_15_bit_level()
    {
        const double a = 1.0 / (1 + 3e-4), bx = 1.3, by = -0.6;
        using var source = RandomImage(150, 90, MatType.CV_16UC1, 4095, 2);
        using var output = new Mat();
        new AxisAlignedWarp().WarpToShort(source, output, a, bx, by, log2Gain: 3);

        var (worst, mean) = Compare(source, output, a, bx, by, gain: 8);
        // 1/128 px weights: ≤ 1/256 px per axis on steps of up to 4095 is 16 levels per axis, × 8 units a level.
        Assert.True(worst <= 2 * 16 * 8 + 1, $"worst error {worst} units");
        Assert.True(mean <= 8 * 8, $"mean error {mean} units");
    }

    [Fact]
    public void Float_warp_is_exact_bilinear()
    {
        const double a = 1.0 / (1 - 2e-3), bx = -2.3, by = 1.1;
        using var bytes = RandomImage(133, 71, MatType.CV_8UC1, 255, 3);
        using var source = new Mat();
        bytes.ConvertTo(source, MatType.CV_32F, 1.0 / 255);
        using var output = new Mat();
        new AxisAlignedWarp().WarpFloat(source, output, a, bx, by);

        var (worst, _) = Compare(source, output, a, bx, by, gain: 1);
        Assert.True(worst <= 1e-5, $"worst error {worst}");
    }

    [Theory]
    [InlineData(256, 256, 1.0, 3.37, -2.81)]
    [InlineData(256, 256, 1.0 / (1 + 6e-4), 0.1, 0.1)]
    [InlineData(61, 45, 1.0, -7.5, 9.25)]
    public void Mirrored_float_warp_is_exact_bilinear_and_agrees_with_warpAffine(int w, int h, double a, double bx, double by)
    {
        // The registration crops' warp (single band on the caller's thread below 2^18 px).
        using var bytes = RandomImage(w, h, MatType.CV_8UC1, 255, 5);
        using var source = new Mat();
        bytes.ConvertTo(source, MatType.CV_32F, 1.0 / 255);
        using var output = new Mat();
        new AxisAlignedWarp().WarpFloat(source, output, a, bx, by, reflect101: true);

        var (worst, _) = Compare(source, output, a, bx, by, gain: 1, reflect101: true);
        Assert.True(worst <= 1e-5, $"worst error {worst}");
        // OpenCV's warpAffine with the same (inverse) map: equal up to its 1/32 px weights on unit steps.
        using var m = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { a, 0, bx, 0, a, by });
        using var cv = new Mat();
        Cv2.WarpAffine(source, cv, m, source.Size(), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect101);
        Assert.True(Cv2.Norm(output, cv, NormTypes.INF) <= 2 * (1.0 / 64) + 1e-4);
    }

    [Fact]
    public void Output_beyond_the_border_replicates_the_edge_pixels()
    {
        using var source = RandomImage(40, 30, MatType.CV_8UC1, 255, 4);
        using var output = new Mat();
        // Shifted 10 px right and down: the first 10 columns and rows sample left of and above the frame.
        new AxisAlignedWarp().WarpToShort(source, output, 1, -10, -10, log2Gain: 7);

        Assert.Equal(source.At<byte>(0, 0) * 128, output.At<short>(0, 0));
        Assert.Equal(source.At<byte>(0, 5) * 128, output.At<short>(3, 15));
        Assert.Equal(source.At<byte>(7, 0) * 128, output.At<short>(17, 2));
    }

    public static TheoryData<int, int, double, double, double> CubicTransforms => new()
    {
        // width, height, scale a, x offset, y offset (source = a · output + offset): half- and quarter-pixel shifts
        // both ways, the magnification corrections of a stack, scales far from 1 (at 2, taps that leave the lanes'
        // 16 bytes: those groups run scalar), widths that are not a multiple of 16, and a shift that puts whole columns and rows beyond the border.
        { 203, 67, 1.0, 0.5, -0.5 },
        { 203, 67, 1.0, -0.5, 0.5 },
        { 203, 67, 1.0, 1.25, -1.25 },
        { 203, 67, 1.0, -1.25, 1.25 },
        { 160, 48, 1.0 / (1 + 6e-4), 0.4, 0.9 },
        { 161, 97, 1.0 / (1 - 0.018), -1.7, 2.6 },
        { 64, 40, 1.3, -5.2, 7.9 },
        { 96, 40, 2.0, -20.3, -5.6 },
        { 40, 30, 1.0, -10.5, -10.25 },
        { 13, 9, 1.0, 0.3, 0.7 },
        // Over 2^18 pixels: the warp splits the rows into bands run in parallel, each with its own cached rows.
        { 640, 432, 1.0 / (1 + 6e-4), 0.37, -0.81 },
    };

    [Fact]
    public void Keys_weights_are_the_catmull_rom_kernel()
    {
        // a = −0.5 written out: at t = 0 the centre tap alone, at a half pixel (−1, 9, 9, −1) / 16, at a quarter the
        // published Catmull–Rom values; the weights always sum to 1.
        Assert.Equal((0.0, 1.0, 0.0, 0.0), AxisAlignedWarp.KeysWeights(0));
        Assert.Equal((-1 / 16.0, 9 / 16.0, 9 / 16.0, -1 / 16.0), AxisAlignedWarp.KeysWeights(0.5));
        var (q0, q1, q2, q3) = AxisAlignedWarp.KeysWeights(0.25);
        Assert.Equal(-0.0703125, q0, 12);
        Assert.Equal(0.8671875, q1, 12);
        Assert.Equal(0.2265625, q2, 12);
        Assert.Equal(-0.0234375, q3, 12);
        for (double t = 0; t < 1; t += 0.0625)
        {
            var (w0, w1, w2, w3) = AxisAlignedWarp.KeysWeights(t);
            Assert.Equal(1.0, w0 + w1 + w2 + w3, 12);
        }
    }

    [Theory]
    [MemberData(nameof(CubicTransforms))]
    public void Eight_bit_cubic_warp_matches_exact_keys_cubic(int w, int h, double a, double bx, double by)
    {
        using var source = RandomImage(w, h, MatType.CV_8UC1, 255, 6);
        using var output = new Mat();
        new AxisAlignedWarp().WarpCubicToShort(source, output, a, bx, by, log2Gain: 7);

        Assert.Equal(MatType.CV_16SC1, output.Type());
        var (worst, mean) = CompareCubic(source, output, a, bx, by, gain: 128);
        // Weights 1/2^14 of exact and rows kept at 1/64 grey level: on random pixels (steps of up to 255 levels, the
        // worst case) at most 3.2 units (1/40 level) measured on the small frames and 4.1 on the 640×432 one (more
        // pixels reach further into the rounding's tail; 640×408, one band, gives the same 4.1, so the bands agree),
        // where a wrong tap or weight costs tens of levels (128 units each).
        Assert.True(worst <= 5, $"worst error {worst} units");
        Assert.True(mean <= 1, $"mean error {mean} units");
    }

    [Theory]
    [MemberData(nameof(CubicTransforms))]
    public void Eight_bit_cubic_warp_is_bit_identical_with_and_without_avx2(int w, int h, double a, double bx, double by)
    {
        using var source = RandomImage(w, h, MatType.CV_8UC1, 255, 7);
        using var vector = new Mat();
        using var scalar = new Mat();
        new AxisAlignedWarp().WarpCubicToShort(source, vector, a, bx, by, log2Gain: 7);
        new AxisAlignedWarp { Vectorised = false }.WarpCubicToShort(source, scalar, a, bx, by, log2Gain: 7);

        Assert.Equal(0, Cv2.Norm(vector, scalar, NormTypes.INF));
    }

    [Theory]
    [InlineData(150, 90, 1.0 / (1 + 3e-4), 1.3, -0.6)]
    [InlineData(150, 90, 1.0, -0.5, 1.25)]
    [InlineData(150, 90, 1.0 / (1 - 0.018), 0.5, -1.25)]
    public void Sixteen_bit_cubic_warp_scales_a_12_bit_frame_to_the_15_bit_level(int w, int h, double a, double bx, double by)
    {
        using var source = RandomImage(w, h, MatType.CV_16UC1, 4095, 8);
        using var output = new Mat();
        new AxisAlignedWarp().WarpCubicToShort(source, output, a, bx, by, log2Gain: 3);

        var (worst, mean) = CompareCubic(source, output, a, bx, by, gain: 8);
        // 1/2^14 weights on steps of up to 4095 levels: at most 2.7 units measured (a third of a level); a wrong tap costs hundreds.
        Assert.True(worst <= 4, $"worst error {worst} units");
        Assert.True(mean <= 1, $"mean error {mean} units");
    }

    [Fact]
    public void Cubic_warp_keeps_a_flat_image_flat_and_saturates_overshoot()
    {
        using var flat = new Mat(37, 45, MatType.CV_8UC1, Scalar.All(173));
        using var output = new Mat();
        var warp = new AxisAlignedWarp();
        warp.WarpCubicToShort(flat, output, 1 / (1 - 0.01), 0.37, -0.61, log2Gain: 7);
        Cv2.MinMaxLoc(output, out double low, out double high);
        Assert.Equal(173 * 128, low);
        Assert.Equal(173 * 128, high);

        // A black/white step shifted half a pixel undershoots black and overshoots white by 1/16 of the step
        // before saturation: the output stays within [0, 2^15 − 1], as OpenCV saturates its 8-bit result.
        using var step = new Mat(20, 48, MatType.CV_8UC1, Scalar.All(0));
        step[new Rect(24, 0, 24, 20)].SetTo(Scalar.All(255));
        warp.WarpCubicToShort(step, output, 1, 0.5, 0, log2Gain: 7);
        Cv2.MinMaxLoc(output, out low, out high);
        Assert.Equal(0, low);
        Assert.Equal(short.MaxValue, high);
    }

    private static Mat RandomImage(int w, int h, MatType type, double max, int seed)
    {
        var random = new Random(seed);
        var values = new double[h * w];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.Next((int)max + 1);
        }
        using var exact = Mat.FromPixelData(h, w, MatType.CV_64FC1, values);
        var image = new Mat();
        exact.ConvertTo(image, type);
        return image;
    }

    /// <summary>BORDER_REFLECT_101 written out for the reference (…, 2, 1 | 0, 1, …, n − 1 | n − 2, …).</summary>
    private static int Mirror(int i, int n)
    {
        while (i < 0 || i >= n)
        {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }

    /// <summary>Keys' cubic convolution kernel with a = −0.5, written out independently of the warp.</summary>
    private static double Keys(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        return x <= 1 ? (a + 2) * x * x * x - (a + 3) * x * x + 1
            : x < 2 ? a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a
            : 0;
    }

    /// <summary>
    /// Worst and mean |output − clamp(gain · exact cubic)| over the frame: 4 × 4 taps around the sample, each clamped
    /// to the frame (replicated borders), in double precision.
    /// </summary>
    private static (double Worst, double Mean) CompareCubic(Mat source, Mat output, double a, double bx, double by, double gain) =>
        CompareWith(source, output, a, bx, by, (at, sx, sy) =>
        {
            int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
            double exact = 0;
            for (int j = y0 - 1; j <= y0 + 2; j++)
            {
                for (int i = x0 - 1; i <= x0 + 2; i++)
                {
                    exact += Keys(sy - j) * Keys(sx - i) * at(j, i);
                }
            }
            return Math.Clamp(gain * exact, 0, short.MaxValue);
        });

    /// <summary>Worst and mean |output − gain · exact bilinear| over the frame.</summary>
    private static (double Worst, double Mean) Compare(Mat source, Mat output, double a, double bx, double by, double gain, bool reflect101 = false) =>
        CompareWith(source, output, a, bx, by, (at, sx, sy) =>
        {
            int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
            double fx = sx - x0, fy = sy - y0;
            return gain * ((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1)));
        }, reflect101);

    /// <summary>
    /// Worst and mean |output − expected| over the frame, where output pixel (x, y) samples the source at
    /// (a·x + bx, a·y + by) and <paramref name="expected"/> computes it from source pixels read through the border rule.
    /// </summary>
    private static (double Worst, double Mean) CompareWith(Mat source, Mat output, double a, double bx, double by,
        Func<Func<int, int, double>, double, double, double> expected, bool reflect101 = false)
    {
        using var src = new Mat();
        source.ConvertTo(src, MatType.CV_64F);
        using var dst = new Mat();
        output.ConvertTo(dst, MatType.CV_64F);
        int w = source.Width, h = source.Height;
        double At(int yy, int xx) => reflect101
            ? src.At<double>(Mirror(yy, h), Mirror(xx, w))
            : src.At<double>(Math.Clamp(yy, 0, h - 1), Math.Clamp(xx, 0, w - 1));
        double worst = 0, sum = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double error = Math.Abs(dst.At<double>(y, x) - expected(At, a * x + bx, a * y + by));
                worst = Math.Max(worst, error);
                sum += error;
            }
        }
        return (worst, sum / (w * h));
    }
}
