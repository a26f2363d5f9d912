using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The fusion's warp weighting predicts how much gradient energy (Tenengrad) a slice keeps when it is resampled at a
/// sub-pixel phase, from the gradient's autocorrelation measured on the slice itself. Checked against the energy of
/// the same texture actually shifted by the stacker's own interpolation weights, on white texture (where bilinear at
/// half a pixel keeps two thirds) and on smooth texture (where it keeps nearly all).
/// </summary>
public sealed class WarpDetailGainTests
{
    [Theory]
    [InlineData(0.0, false, false)]
    [InlineData(0.5, false, false)]
    [InlineData(1.5, false, false)]
    [InlineData(0.0, true, false)]
    [InlineData(0.5, true, false)]
    [InlineData(1.5, true, false)]
    [InlineData(1.5, false, true)]
    [InlineData(1.5, true, true)]
    public void Predicts_the_gradient_energy_a_sub_pixel_shift_keeps(double smoothingSigma, bool cubic, bool striated)
    {
        // Striated: smoothed along x only, like tool marks running along x; a shift along them costs little, across
        // them as much as on white texture, so the two axes' statistics must not be swapped or pooled.
        using var texture = Texture(smoothingSigma, striated);
        using var gx = new Mat();
        using var gy = new Mat();
        var (alongX, alongY) = WarpDetailGain.GradientAutocorrelation(texture, 96, 3, gx, gy);
        if (striated)
        {
            Assert.True(alongX[1] > alongY[1] + 0.3, $"ρ(1) along the marks {alongX[1]:0.000}, across {alongY[1]:0.000}");
        }
        double before = GradientEnergy(texture);
        foreach (var phase in new[] { 0.25, 0.5, 0.75 })
        {
            using var shiftedX = ShiftAlongX(texture, phase, cubic);
            double measured = GradientEnergy(shiftedX) / before;
            double predicted = WarpDetailGain.At(phase, cubic, alongX);
            Assert.True(Math.Abs(measured - predicted) < 0.02,
                $"σ {smoothingSigma}, phase {phase}, {(cubic ? "cubic" : "bilinear")}: kept {measured:0.000} of the energy, predicted {predicted:0.000}");

            using var transposed = texture.T().ToMat();
            using var shiftedY = ShiftAlongX(transposed, phase, cubic);
            double measuredY = GradientEnergy(shiftedY) / before;
            Assert.True(Math.Abs(measuredY - WarpDetailGain.At(phase, cubic, alongY)) < 0.02, $"along y, phase {phase}: kept {measuredY:0.000}");
        }

        // On the grid nothing is lost; on white texture a half-pixel bilinear shift keeps two thirds of the Sobel
        // energy (ρ(1) = 1/3: the x-gradient's is 0, the y-gradient's, smoothed along x by [1 2 1], 2/3), smooth
        // texture far more (the weighting must tell the two apart, or it would over-penalise smooth stacks).
        Assert.Equal(1, WarpDetailGain.At(0, cubic, alongX), 6);
        double half = WarpDetailGain.At(0.5, cubic: false, alongX);
        if (smoothingSigma == 0)
        {
            Assert.InRange(half, 0.62, 0.72);
        }
        else if (smoothingSigma >= 1.5)
        {
            Assert.InRange(half, 0.85, 1.0);
        }
        if (striated)
        {
            // Across the marks the energy is nearly all the y-difference, whose lag-1 correlation along y is near 0:
            // a half-pixel shift keeps little more than half, less than on white texture.
            Assert.InRange(WarpDetailGain.At(0.5, cubic: false, alongY), 0.5, 0.6);
        }
    }

    [Fact]
    public void Fill_gives_each_column_the_gain_of_its_own_phase()
    {
        // A scale about the centre moves the phase across the frame: column i samples a·(2i) + b.
        var rho = new[] { 1.0, 0, 0, 0 };
        var gains = new float[5];
        WarpDetailGain.Fill(gains, 1.0625, 0.25, 2, cubic: false, rho);
        for (int i = 0; i < gains.Length; i++)
        {
            double s = (1.0625 * 2 * i) + 0.25, t = s - Math.Floor(s);
            Assert.Equal((1 - t) * (1 - t) + t * t, gains[i], 5);
        }
        Assert.NotEqual(gains[0], gains[2]);
    }

    private static Mat Texture(double sigma, bool striated)
    {
        var texture = new Mat(300, 300, MatType.CV_32FC1);
        Cv2.Randu(texture, new Scalar(0), new Scalar(1));
        if (sigma > 0)
        {
            // GaussianBlur takes σy = 0 as "same as σx"; a tiny σy blurs along x alone.
            Cv2.GaussianBlur(texture, texture, new Size(striated ? (int)(6 * sigma) | 1 : 0, striated ? 1 : 0), sigma, striated ? 1e-6 : 0);
        }
        return texture;
    }

    /// <summary>Each output pixel x interpolated at source x + phase with the stacker's weights (float, no rounding).</summary>
    private static Mat ShiftAlongX(Mat source, double phase, bool cubic)
    {
        int w = source.Width, h = source.Height;
        source.GetArray(out float[] s);
        var d = new float[w * h];
        var (w0, w1, w2, w3) = cubic ? AxisAlignedWarp.KeysWeights(phase) : (0, 1 - phase, phase, 0);
        for (int y = 0; y < h; y++)
        {
            for (int x = 1; x < w - 2; x++)
            {
                int r = y * w;
                d[r + x] = (float)((w0 * s[r + x - 1]) + (w1 * s[r + x]) + (w2 * s[r + x + 1]) + (w3 * s[r + x + 2]));
            }
        }
        var m = new Mat(h, w, MatType.CV_32FC1);
        m.SetArray(d);
        return m;
    }

    /// <summary>Σ gx² + gy² of the 3×3 Sobel over the centre (away from the borders the shift leaves unset).</summary>
    private static double GradientEnergy(Mat image)
    {
        using var inner = new Mat(image, new Rect(8, 8, image.Width - 16, image.Height - 16));
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(inner, gx, MatType.CV_32F, 1, 0);
        Cv2.Sobel(inner, gy, MatType.CV_32F, 0, 1);
        var interior = new Rect(1, 1, gx.Width - 2, gx.Height - 2);
        using var gxInterior = new Mat(gx, interior);
        using var gyInterior = new Mat(gy, interior);
        return gxInterior.Norm(NormTypes.L2SQR) + gyInterior.Norm(NormTypes.L2SQR);
    }
}
