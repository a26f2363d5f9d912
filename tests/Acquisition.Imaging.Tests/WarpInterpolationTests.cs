using Acquisition.Core.Units;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The halo an interpolating warp leaves at sharp edges in the fused image: a stack of random 16-px blocks of two
/// levels whose in-focus slices sit half a pixel off slice 0's grid, so the fused edges are the warped ones.
/// </summary>
public sealed class WarpInterpolationTests(ITestOutputHelper output)
{
    private const int Size = 256, Block = 16, Slices = 9;

    [Theory]
    [InlineData(32, 224)]
    [InlineData(0, 255)]
    public void Cubic_warp_leaves_a_halo_at_half_pixel_step_edges_that_bilinear_does_not(int low, int high)
    {
        var (linear, linearStraight) = Overshoot(InterpolationFlags.Linear, low, high, out var shiftLinear);
        var (cubic, cubicStraight) = Overshoot(InterpolationFlags.Cubic, low, high, out var shiftCubic);
        double step = high - low;
        output.WriteLine($"step {low} → {high}: overshoot linear {linear:0.00} levels ({linear / step:P2}), cubic {cubic:0.00} levels ({cubic / step:P2}); " +
            $"along straight edges (≥ 4 px from a corner) linear {linearStraight:0.00} ({linearStraight / step:P2}), cubic {cubicStraight:0.00} ({cubicStraight / step:P2}); " +
            $"registered shift of the sharp slice linear ({shiftLinear.X:0.000}, {shiftLinear.Y:0.000}) px, cubic ({shiftCubic.X:0.000}, {shiftCubic.Y:0.000}) px");

        // The stack is registered: the sharp slices are warped by about half a pixel, the phase of the largest halo.
        Assert.InRange(Math.Abs(shiftCubic.X), 0.4, 0.6);
        Assert.InRange(Math.Abs(shiftCubic.Y), 0.4, 0.6);
        // Bilinear interpolation is a convex combination: beyond the step only what the fusion's pyramid adds.
        Assert.True(linear <= 0.01 * step, $"linear overshoot {linear:0.00} levels");
        // Keys a = −0.5 on an area-sampled edge at a half-pixel phase: 1/32 of the step per axis (1/16 for an ideal
        // step), compounded at corners, where both axes overshoot, plus the pyramid's share. Within the sensor's range
        // it shows (6.75 % at the corners, 3.53 % along straight edges, against linear's 0.82 %, measured in session
        // 11: above the 2 % that a default warp may add, docs/imaging.md); at black and white the saturation clips it.
        Assert.True(cubic <= 0.08 * step, $"cubic overshoot {cubic:0.00} levels");
        Assert.True(cubicStraight <= 0.05 * step, $"cubic overshoot along straight edges {cubicStraight:0.00} levels");
        if (low > 0 && high < 255)
        {
            Assert.True(cubic > linear, "The cubic warp's halo should show on an unclipped edge.");
        }
    }

    /// <summary>
    /// The fused image's largest excursion beyond [low, high] (grey levels) inside the frame clear of the border, over
    /// all pixels and away from the blocks' corners, and the registered shift of the sharpest slice.
    /// </summary>
    private static (double All, double Straight) Overshoot(InterpolationFlags warp, int low, int high, out (double X, double Y) sharpShift)
    {
        var random = new Random(3);
        var levels = new bool[Size / Block + 2, Size / Block + 2];
        for (int i = 0; i < levels.GetLength(0); i++)
        {
            for (int j = 0; j < levels.GetLength(1); j++)
            {
                levels[i, j] = random.Next(2) == 1;
            }
        }
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions { WarpInterpolation = warp, PipelineStages = false });
        sharpShift = (0, 0);
        for (int s = 0; s < Slices; s++)
        {
            // Slice 0 on the grid, the rest half a pixel off it; the middle slice sharp, the others defocused.
            double offset = s == 0 ? 0 : 0.5;
            double sigma = Math.Abs(s - Slices / 2) * 0.8;
            using var slice = Render(levels, offset, low, high, sigma);
            var registration = stacker.Add(slice, 8, new Micrometres(2 * s));
            if (s == Slices / 2)
            {
                sharpShift = (registration.ShiftXPixels, registration.ShiftYPixels);
            }
        }
        using var result = stacker.Complete();
        using var fused = new Mat();
        result.FusedImage.ConvertTo(fused, MatType.CV_64F, 255.0 / 65535);
        double all = 0, straight = 0;
        for (int y = 24; y < Size - 24; y++)
        {
            for (int x = 24; x < Size - 24; x++)
            {
                double v = fused.At<double>(y, x);
                double beyond = Math.Max(0, Math.Max(v - high, low - v));
                all = Math.Max(all, beyond);
                // Edges lie between pixels 16k and 16k + 1 (offset 0.5 warped back); ≥ 4 px from one of them on
                // either axis means no corner within the kernel's reach.
                bool farX = x % Block is >= 4 and <= 12, farY = y % Block is >= 4 and <= 12;
                if (farX || farY)
                {
                    straight = Math.Max(straight, beyond);
                }
            }
        }
        return (all, straight);
    }

    /// <summary>Blocks area-sampled with their edges <paramref name="offset"/> px right and down, then blurred.</summary>
    private static Mat Render(bool[,] levels, double offset, int low, int high, double sigma)
    {
        using var image = new Mat(Size, Size, MatType.CV_64FC1);
        // Coverage of pixel [p, p + 1) by block k (its edges at k·Block + offset), per axis.
        double Cover(int p, int k) => Math.Max(0, Math.Min(p + 1, (k + 1) * Block + offset) - Math.Max(p, k * Block + offset));
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                double value = 0;
                for (int ky = Math.Max(0, y / Block - 1); ky <= y / Block; ky++)
                {
                    for (int kx = Math.Max(0, x / Block - 1); kx <= x / Block; kx++)
                    {
                        value += Cover(y, ky) * Cover(x, kx) * (levels[ky + 1, kx + 1] ? high : low);
                    }
                }
                // Left of and above the first block edge (offset > 0): the border row of blocks.
                double covered = 0;
                for (int ky = Math.Max(0, y / Block - 1); ky <= y / Block; ky++)
                {
                    for (int kx = Math.Max(0, x / Block - 1); kx <= x / Block; kx++)
                    {
                        covered += Cover(y, ky) * Cover(x, kx);
                    }
                }
                image.Set(y, x, value + (1 - covered) * low);
            }
        }
        if (sigma > 0)
        {
            Cv2.GaussianBlur(image, image, new OpenCvSharp.Size(0, 0), sigma, sigma, BorderTypes.Replicate);
        }
        var bytes = new Mat();
        image.ConvertTo(bytes, MatType.CV_8UC1);
        return bytes;
    }
}
