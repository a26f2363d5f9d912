using OpenCvSharp;

namespace Acquisition.HardwareSim.Surface;

/// <summary>Seeded, smoothed Gaussian noise with unit RMS: the raw material of textures and tool marks.</summary>
internal static class NoiseField
{
    public static Mat Create(Size size, ulong seed, double smoothingSigmaPixels)
    {
        var noise = new Mat(size, MatType.CV_32FC1);
        var rng = new RNG(seed == 0 ? 1 : seed);
        rng.Fill(noise, DistributionType.Normal, new Scalar(0), new Scalar(1));
        if (smoothingSigmaPixels > 0.05)
        {
            Cv2.GaussianBlur(noise, noise, new Size(0, 0), smoothingSigmaPixels, smoothingSigmaPixels, BorderTypes.Reflect101);
            Cv2.MeanStdDev(noise, out _, out var std);
            if (std.Val0 > 0)
            {
                Cv2.Multiply(noise, new Scalar(1.0 / std.Val0), noise);
            }
        }
        return noise;
    }
}
