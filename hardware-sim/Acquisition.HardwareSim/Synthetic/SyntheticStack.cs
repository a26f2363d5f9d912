using OpenCvSharp;

namespace Acquisition.HardwareSim.Synthetic;

/// <summary>
/// A small, seeded stand-in for the full camera simulator, shared by the imaging tests and the stacking benchmark: a textured (or polished) surface with a smooth random height
/// field, rendered at each focal plane with a per-pixel Gaussian defocus σ(Δz) = √(σ₀² + (β·Δz)²), then magnified
/// about the image centre and shifted (the optics and stage jitter), with read noise and quantisation.
/// Defaults approximate NA 0.3 at 2.5 µm/px: the focus curve of a 9×9 SML is ~14 µm wide.
/// Truth lives in the frame of slice 0, which is never jittered, so a registered result lines up with it.
/// </summary>
public sealed class SyntheticStack : IDisposable
{
    private readonly Mat[] _levels;
    private readonly double[] _levelSigmas;

    private SyntheticStack(Mat height, Mat albedo, Mat allInFocus, Mat[] levels, double[] levelSigmas, double sigma0, double beta)
    {
        TrueHeightMicrometres = height;
        Albedo = albedo;
        AllInFocus = allInFocus;
        _levels = levels;
        _levelSigmas = levelSigmas;
        Sigma0Pixels = sigma0;
        BetaPixelsPerMicrometre = beta;
    }

    public Mat TrueHeightMicrometres { get; }
    public Mat Albedo { get; }

    /// <summary>The true all-in-focus image (CV_32F, 0–1): the albedo through the in-focus blur σ₀.</summary>
    public Mat AllInFocus { get; }

    public double Sigma0Pixels { get; }
    public double BetaPixelsPerMicrometre { get; }
    public int Width => Albedo.Width;
    public int Height => Albedo.Height;

    /// <param name="striationContrast">
    /// Contrast (albedo, 0–0.5) of parallel machining marks laid over the grain, as on a milled or filed breech face:
    /// a strongly periodic texture across the marks and almost none along them, the hard case for registration.
    /// 0 (the default) leaves the random grain alone.
    /// </param>
    /// <param name="striationPeriodPixels">Spacing of the marks, in pixels.</param>
    /// <param name="grainContrast">Scale of the random grain and blotches (1 = the default texture).</param>
    public static SyntheticStack Create(int width, int height, int seed, bool textured = true, double heightAmplitudeMicrometres = 15,
        double sigma0Pixels = 0.5, double betaPixelsPerMicrometre = 0.12, double maxDefocusMicrometres = 80,
        double striationContrast = 0, double striationPeriodPixels = 6, double grainContrast = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(striationContrast);
        ArgumentOutOfRangeException.ThrowIfLessThan(striationPeriodPixels, 2.0);
        ArgumentOutOfRangeException.ThrowIfNegative(grainContrast);
        var rng = new RNG((ulong)seed);
        var heightMap = SmoothField(width, height, Math.Max(width, height) / 6.0, ref rng);
        Cv2.Normalize(heightMap, heightMap, -heightAmplitudeMicrometres, heightAmplitudeMicrometres, NormTypes.MinMax);
        using (var fine = SmoothField(width, height, 6, ref rng))
        {
            Cv2.Normalize(fine, fine, -2, 2, NormTypes.MinMax);
            Cv2.Add(heightMap, fine, heightMap);
        }

        var albedo = new Mat();
        if (textured)
        {
            using var grain = SmoothField(width, height, 0.8, ref rng);
            using var blotches = SmoothField(width, height, 4, ref rng);
            Cv2.Normalize(grain, grain, -0.25 * grainContrast, 0.25 * grainContrast, NormTypes.MinMax);
            Cv2.Normalize(blotches, blotches, -0.15 * grainContrast, 0.15 * grainContrast, NormTypes.MinMax);
            Cv2.Add(grain, blotches, albedo);
            if (striationContrast > 0)
            {
                using var marks = Striations(width, height, striationContrast, striationPeriodPixels);
                Cv2.Add(albedo, marks, albedo);
            }
            Cv2.Add(albedo, new Scalar(0.5), albedo);
        }
        else
        {
            // Polished primer: no texture at all, only a faint, very low-frequency shading.
            using var shading = SmoothField(width, height, Math.Max(width, height) / 3.0, ref rng);
            Cv2.Normalize(shading, shading, 0.47, 0.53, NormTypes.MinMax);
            shading.CopyTo(albedo);
        }

        var sigmas = new List<double>();
        double maxSigma = Math.Sqrt(sigma0Pixels * sigma0Pixels + Math.Pow(betaPixelsPerMicrometre * maxDefocusMicrometres, 2));
        for (double s = sigma0Pixels; s < maxSigma + 0.5; s += s < 2 ? 0.125 : 0.5)
        {
            sigmas.Add(s);
        }
        var levels = new Mat[sigmas.Count];
        for (int i = 0; i < sigmas.Count; i++)
        {
            levels[i] = new Mat();
            Cv2.GaussianBlur(albedo, levels[i], new Size(0, 0), sigmas[i], sigmas[i], BorderTypes.Reflect101);
        }
        var allInFocus = levels[0].Clone();
        return new SyntheticStack(heightMap, albedo, allInFocus, levels, sigmas.ToArray(), sigma0Pixels, betaPixelsPerMicrometre);
    }

    /// <summary>
    /// Parallel marks at 30° to the rows (so that neither image axis runs along them): a raised cosine of the
    /// distance across the marks, sharpened so that each mark is a narrow groove rather than a sinusoid.
    /// </summary>
    private static unsafe Mat Striations(int width, int height, double contrast, double period)
    {
        var marks = new Mat(height, width, MatType.CV_32FC1);
        double nx = -Math.Sin(Math.PI / 6), ny = Math.Cos(Math.PI / 6);
        for (int y = 0; y < height; y++)
        {
            float* row = (float*)marks.Ptr(y);
            for (int x = 0; x < width; x++)
            {
                double phase = 2 * Math.PI * (x * nx + y * ny) / period;
                row[x] = (float)(contrast * (Math.Pow(0.5 + 0.5 * Math.Cos(phase), 3) - 0.3125));
            }
        }
        return marks;
    }

    private static Mat SmoothField(int width, int height, double sigma, ref RNG rng)
    {
        var noise = new Mat(height, width, MatType.CV_32FC1);
        rng.Fill(noise, DistributionType.Normal, InputArray.Create(new Scalar(0)), InputArray.Create(new Scalar(1)), false);
        Cv2.GaussianBlur(noise, noise, new Size(0, 0), sigma, sigma, BorderTypes.Reflect101);
        return noise;
    }

    /// <summary>The scene in focus at <paramref name="zMicrometres"/>, in the specimen frame (CV_32F, 0–1, no noise).</summary>
    public unsafe Mat RenderFocal(double zMicrometres)
    {
        var result = new Mat(Height, Width, MatType.CV_32FC1);
        int w = Width;
        double s0 = Sigma0Pixels, beta = BetaPixelsPerMicrometre;
        var sigmas = _levelSigmas;
        var levels = _levels;
        var heightMap = TrueHeightMicrometres;
        Parallel.For(0, Height, y =>
        {
            var ph = (float*)heightMap.Ptr(y);
            var pr = (float*)result.Ptr(y);
            var rows = new float*[levels.Length];
            for (int k = 0; k < levels.Length; k++)
            {
                rows[k] = (float*)levels[k].Ptr(y);
            }
            for (int x = 0; x < w; x++)
            {
                double dz = ph[x] - zMicrometres;
                double sigma = Math.Sqrt(s0 * s0 + beta * beta * dz * dz);
                int k = 0;
                while (k < sigmas.Length - 2 && sigmas[k + 1] <= sigma)
                {
                    k++;
                }
                double t = Math.Clamp((sigma - sigmas[k]) / (sigmas[k + 1] - sigmas[k]), 0, 1);
                pr[x] = (float)((1 - t) * rows[k][x] + t * rows[k + 1][x]);
            }
        });
        return result;
    }

    /// <summary>
    /// A camera frame at <paramref name="zMicrometres"/>: magnified by <paramref name="relativeMagnification"/> about
    /// the centre, shifted by the jitter, with Gaussian read noise (fraction of full scale), quantised to 8 or 16 bit
    /// (16 bit carries 12-bit data).
    /// </summary>
    public Mat RenderFrame(double zMicrometres, double relativeMagnification, double jitterX, double jitterY, double readNoise, int bitDepth, ulong noiseSeed)
    {
        using var focal = RenderFocal(zMicrometres);
        using var moved = new Mat();
        if (relativeMagnification != 1 || jitterX != 0 || jitterY != 0)
        {
            double cx = (Width - 1) / 2.0, cy = (Height - 1) / 2.0, m = relativeMagnification;
            using var affine = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { m, 0, cx - m * cx + jitterX, 0, m, cy - m * cy + jitterY });
            Cv2.WarpAffine(focal, moved, affine, focal.Size(), InterpolationFlags.Cubic, BorderTypes.Reflect101);
        }
        else
        {
            focal.CopyTo(moved);
        }
        if (readNoise > 0)
        {
            using var noise = new Mat(Height, Width, MatType.CV_32FC1);
            var rng = new RNG(noiseSeed);
            rng.Fill(noise, DistributionType.Normal, InputArray.Create(new Scalar(0)), InputArray.Create(new Scalar(readNoise)), false);
            Cv2.Add(moved, noise, moved);
        }
        var frame = new Mat();
        if (bitDepth == 8)
        {
            moved.ConvertTo(frame, MatType.CV_8UC1, 255);
        }
        else
        {
            moved.ConvertTo(frame, MatType.CV_16UC1, (1 << bitDepth) - 1);
        }
        return frame;
    }

    public void Dispose()
    {
        TrueHeightMicrometres.Dispose();
        Albedo.Dispose();
        AllInFocus.Dispose();
        foreach (var level in _levels)
        {
            level.Dispose();
        }
    }
}
