using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Surface;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Camera;

/// <summary>
/// Renders what the camera sees of a <see cref="SurfaceScene"/>: geometry (stage XY, camera–stage rotation, true
/// pixel size, magnification change with focus, jitter) as one affine warp of the scene's height, albedo and slope
/// rasters; shading from a per-lighting table; defocus that varies per pixel with |focal plane − local height|,
/// blended from a few Gaussian blur levels (large ones at reduced resolution); then gain, shot and read noise,
/// clipping and quantisation. Not thread-safe: one camera owns one renderer and reuses its buffers.
/// </summary>
public sealed class FrameRenderer : IDisposable
{
    // Blur levels: σ in full-resolution pixels and the pyramid level they are computed at (factor 2^k).
    private static readonly (double Sigma, int K)[] LevelSpec =
    [
        (0, 0), (0.7, 0), (1.4, 0), (2, 1), (2.8, 1), (4, 1), (5.7, 2), (8, 2), (11.3, 3), (16, 3),
        (22.6, 4), (32, 4), (45, 5), (64, 5), (90, 6), (128, 6),
    ];

    private const double DzStepMicrometres = 0.05;

    private readonly SurfaceScene _scene;
    private readonly SimulatedCameraOptions _o;
    private readonly Mat _height;
    private readonly Mat _albedo;
    private readonly Mat _sceneRasters;

    // Raster cells per sampled cell of _sceneRasters: 1, or the whole number of cells a camera pixel spans.
    private readonly int _rasterFactor;
    private readonly Mat _warped;
    private readonly Mat _sharp;
    private readonly Mat _accumulated;
    private readonly Mat[] _pyramid = new Mat[7];
    private readonly Mat?[] _levels = new Mat?[LevelSpec.Length];
    private readonly Dictionary<string, ShadingTable> _tables = new(StringComparer.Ordinal);
    private readonly Mat? _vignette;
    private readonly double _tanAlpha;
    private readonly double _diffractionSigmaMicrometres;

    public FrameRenderer(SurfaceScene scene, SimulatedCameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _scene = scene;
        _o = options;
        var size = new Size(options.Width, options.Height);
        _height = new Mat(size, MatType.CV_32FC1);
        _albedo = new Mat(size, MatType.CV_32FC1);
        // Height and albedo interleaved, so that one bicubic warp per frame serves both (see WarpScene).
        _sceneRasters = new Mat();
        Cv2.Merge([scene.HeightMicrometres, scene.Albedo], _sceneRasters);
        // A camera pixel integrates the light over its footprint. Where the pixel spans several raster cells, sampling
        // the raster at the pixel centre instead aliases the scene's fine texture into a pattern that changes
        // completely with a quarter-pixel jitter: at 10 µm/px over the 2.5 µm raster the head face's texture became
        // noise no two frames shared, and registration could only follow the rim (docs/imaging.md). With the option on,
        // the rasters are averaged over whole pixel footprints once, here, and sampled at that pitch.
        _rasterFactor = options.IntegratePixelFootprint ? options.RasterCellsPerPixel(scene.ResolutionMicrometres) : 1;
        if (_rasterFactor > 1)
        {
            var f = _rasterFactor;
            using var whole = new Mat(_sceneRasters, new Rect(0, 0, scene.Width / f * f, scene.Height / f * f));
            var coarse = new Mat();
            Cv2.Resize(whole, coarse, new Size(scene.Width / f, scene.Height / f), 0, 0, InterpolationFlags.Area);
            _sceneRasters.Dispose();
            _sceneRasters = coarse;
        }
        if (_rasterFactor == 1 && options.IntegratePixelAperture)
        {
            double cells = options.PixelSizeMicrometres / scene.ResolutionMicrometres;
            if (cells < 2)
            {
                // The warp below samples the bicubic interpolant of the rasters at each pixel centre; weighting the
                // rasters by the pixel box's integral of that interpolant makes each sample the pixel's mean instead.
                using var kernel = PixelApertureKernel(cells);
                Cv2.SepFilter2D(_sceneRasters, _sceneRasters, MatType.CV_32F, kernel, kernel, null, 0, BorderTypes.Reflect101);
            }
        }
        _warped = new Mat(size, MatType.CV_32FC2);
        _sharp = new Mat(size, MatType.CV_32FC1);
        _accumulated = new Mat(size, MatType.CV_32FC1);
        _tanAlpha = Math.Tan(Math.Asin(options.NumericalAperture));
        // Gaussian equivalent of the Airy disc.
        _diffractionSigmaMicrometres = 0.21 * options.WavelengthMicrometres / options.NumericalAperture;
        if (options.VignettingAtCorner > 0)
        {
            var values = new float[options.Width * options.Height];
            for (var v = 0; v < options.Height; v++)
            {
                for (var u = 0; u < options.Width; u++)
                {
                    values[(v * options.Width) + u] = (float)options.VignettingAt(u, v);
                }
            }
            _vignette = new Mat(size, MatType.CV_32FC1);
            _vignette.SetArray(values);
        }
    }

    public SimulatedCameraOptions Options => _o;

    /// <summary>
    /// Raster weights at offsets −2…2 cells that make a sample of OpenCV's bicubic interpolant (a = −0.75) the mean of
    /// that interpolant over a pixel <paramref name="cells"/> raster cells wide: (1 / w) ∫ K(t − n) dt over
    /// |t| ≤ w / 2, by the midpoint rule. The weights sum to 1.
    /// </summary>
    public static Mat PixelApertureKernel(double cells)
    {
        const int Steps = 4000;
        var weights = new float[5];
        for (int n = -2; n <= 2; n++)
        {
            double sum = 0;
            for (int i = 0; i < Steps; i++)
            {
                double t = (((i + 0.5) / Steps) - 0.5) * cells;
                sum += Keys(t - n);
            }
            weights[n + 2] = (float)(sum / Steps);
        }
        return Mat.FromPixelData(5, 1, MatType.CV_32FC1, weights).Clone();
    }

    /// <summary>OpenCV's bicubic kernel (Keys, a = −0.75), the interpolant its cubic warp samples.</summary>
    private static double Keys(double x)
    {
        const double A = -0.75;
        x = Math.Abs(x);
        return x <= 1 ? ((((A + 2) * x) - (A + 3)) * x * x) + 1
            : x < 2 ? ((((A * x) - (5 * A)) * x) + (8 * A)) * x - (4 * A)
            : 0;
    }

    /// <summary>
    /// Process CPU time (all threads) of each stage of the last <see cref="Render"/>, for the benchmark's breakdown;
    /// only collected when <see cref="CollectStageTimes"/> is set.
    /// </summary>
    public IReadOnlyDictionary<string, double> LastStageCpuMilliseconds => _stages;

    public bool CollectStageTimes { get; set; }

    private readonly Dictionary<string, double> _stages = new(StringComparer.Ordinal);
    private TimeSpan _stageStart;

    private void Stage(string name)
    {
        if (!CollectStageTimes)
        {
            return;
        }
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var now = self.TotalProcessorTime;
        if (name.Length > 0)
        {
            _stages[name] = (now - _stageStart).TotalMilliseconds;
        }
        _stageStart = now;
    }

    public SurfaceScene Scene => _scene;

    /// <summary>
    /// Renders one exposure. <paramref name="sampleAt"/> gives the true stage position and light at a fraction
    /// 0–1 of the exposure; it is sampled finely enough for motion blur when the stage moved.
    /// </summary>
    public unsafe (byte[] Data, SimulatedFrameTruth Truth) Render(Func<double, ExposureSample> sampleAt, TimeSpan exposure, double gain,
        PixelFormat format, long sequence)
    {
        ArgumentNullException.ThrowIfNull(sampleAt);
        var probe = new ExposureSample[9];
        for (var i = 0; i < probe.Length; i++)
        {
            probe[i] = sampleAt(i / 8.0);
        }
        Stage(string.Empty);
        var mid = probe[4].Position;
        // HashCode is randomised per process; a fixed mix keeps frames identical from run to run.
        var rng = new Random((int)(Mix((ulong)(uint)_o.Seed, (ulong)sequence) & 0x7FFFFFFF));
        var jx = _o.JitterRmsPixels * Gaussian(rng);
        var jy = _o.JitterRmsPixels * Gaussian(rng);
        var motionPx = MaxDisplacementPixels(probe);
        var lightingChanges = probe.Any(p => !SameLighting(p.Lighting, probe[0].Lighting));
        var (zf, mag) = FocusAndMagnification(mid);

        float hMin, hMax;
        if (motionPx < 0.25 && !lightingChanges)
        {
            (hMin, hMax) = RenderSharp(mid, probe[0].Lighting, jx, jy, _sharp);
        }
        else
        {
            // Motion blur (and light switched during the exposure): average the sharp image over sub-exposures.
            var n = Math.Clamp((int)Math.Ceiling(motionPx / 1.5), 9, 48);
            _accumulated.SetTo(Scalar.All(0));
            hMin = float.MaxValue;
            hMax = float.MinValue;
            for (var i = 0; i < n; i++)
            {
                var s = sampleAt((i + 0.5) / n);
                var (lo, hi) = RenderSharp(s.Position, s.Lighting, jx, jy, _sharp);
                hMin = Math.Min(hMin, lo);
                hMax = Math.Max(hMax, hi);
                Cv2.Add(_accumulated, _sharp, _accumulated);
            }
            Cv2.Multiply(_accumulated, new Scalar(1.0 / n), _sharp);
            // Heights for defocus: the mid-exposure geometry.
            RenderSharpHeightsOnly(mid, jx, jy);
        }

        if (_vignette is not null)
        {
            Cv2.Multiply(_sharp, _vignette, _sharp);
        }
        Stage("warp+shade");
        var pixel = _o.PixelSizeMicrometres / mag;
        var maxDz = Math.Max(Math.Abs(zf - hMin), Math.Abs(zf - hMax));
        var (levelOf, weightOf, usedLevels) = DefocusTable(maxDz, pixel);
        BuildLevels(usedLevels);
        Stage("blur levels");

        var scale = exposure.TotalMilliseconds * _o.SensitivityPerMillisecond * gain;
        var fullScale = format == PixelFormat.Mono8 ? 255.0 : 4095.0;
        var read = _o.ReadNoiseFraction * gain;
        var shotK = _o.FullWellElectrons > 0 ? gain / _o.FullWellElectrons : 0;
        var frameSeed = Mix((ulong)(uint)_o.Seed ^ 0x5DEECE66DUL, (ulong)sequence);
        // Noise σ as a function of the signal (read noise plus shot noise), tabulated over 0–2× full scale.
        const int sigmaSteps = 4096;
        var sigmaOf = new float[sigmaSteps + 1];
        for (var i = 0; i <= sigmaSteps; i++)
        {
            sigmaOf[i] = (float)Math.Sqrt((read * read) + (shotK * 2.0 * i / sigmaSteps));
        }
        Stage("noise");

        var bpp = format == PixelFormat.Mono8 ? 1 : 2;
        var data = new byte[_o.Width * _o.Height * bpp];
        var pass = new FinalPass
        {
            Width = _o.Width,
            Bpp = bpp,
            Height = _height.Data,
            HeightStride = _height.Step(),
            FocusHeight = (float)zf,
            InvDzStep = (float)(1 / DzStepMicrometres),
            TableMax = levelOf.Length - 1,
            Scale = (float)scale,
            FullScale = (float)fullScale,
            SigmaScale = sigmaSteps / 2f,
            SigmaSteps = sigmaSteps,
            FrameSeed = frameSeed,
        };
        for (var i = 0; i <= usedLevels; i++)
        {
            var m = _levels[i]!;
            pass.Levels[i] = new LevelView(m.Data, m.Step(), m.Cols, m.Rows, LevelSpec[i].K);
        }
        pass.UsedLevels = usedLevels;
        // Per pyramid factor, each output column's left source column and weight: shared by every row.
        var columnMaps = new ColumnMap?[_pyramid.Length];
        for (var i = 0; i <= usedLevels; i++)
        {
            var k = LevelSpec[i].K;
            if (k > 0 && columnMaps[k] is null)
            {
                columnMaps[k] = ColumnMap.For(_o.Width, _levels[i]!.Cols, k);
            }
        }
        fixed (byte* dp = data)
        fixed (int* lp = levelOf)
        fixed (float* wp = weightOf)
        fixed (float* sp = sigmaOf)
        {
            pass.Output = (nint)dp;
            pass.LevelOf = (nint)lp;
            pass.WeightOf = (nint)wp;
            pass.SigmaOf = (nint)sp;
            var p = pass;
            // Rows in bands, so that each worker allocates its row scratch once per band, not once per row.
            const int band = 32;
            var bands = (_o.Height + band - 1) / band;
            var width = _o.Width;
            var height = _o.Height;
            Parallel.For(0, bands, () => new RowScratch(width, LevelSpec.Length), (b, _, scratch) =>
            {
                var end = Math.Min(height, (b + 1) * band);
                for (var v = b * band; v < end; v++)
                {
                    FinalPass.Row(p, v, scratch, columnMaps);
                }
                return scratch;
            }, _ => { });
        }
        Stage("defocus+quantise");
        var truth = new SimulatedFrameTruth(sequence, mid, zf, jx, jy, mag, motionPx);
        return (data, truth);
    }

    /// <summary>
    /// The true height map (µm) and all-in-focus image (digital numbers, noise-free) on the pixel grid the camera has
    /// at <paramref name="position"/> without jitter, for the whole frame or <paramref name="region"/>. With a jitter
    /// (a frame's <see cref="SimulatedFrameTruth.JitterXPixels"/>, …) both maps are on that frame's grid, sampled as
    /// the frame was; shifting the unjittered maps there instead would blur them by the shift's interpolation, which a
    /// fused image compared with them is then blamed for.
    /// </summary>
    public unsafe CameraGroundTruth GroundTruth(StagePosition position, LightingState lighting, TimeSpan exposure, double gain,
        PixelFormat format, Rect? region = null, double jitterXPixels = 0, double jitterYPixels = 0)
    {
        var r = region ?? new Rect(0, 0, _o.Width, _o.Height);
        if (r.X < 0 || r.Y < 0 || r.Right > _o.Width || r.Bottom > _o.Height || r.Width <= 0 || r.Height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(region), $"Region {r} is outside the {_o.Width}×{_o.Height} frame.");
        }
        using var sharp = new Mat(new Size(_o.Width, _o.Height), MatType.CV_32FC1);
        RenderSharp(position, lighting, jitterXPixels, jitterYPixels, sharp);
        if (_vignette is not null)
        {
            Cv2.Multiply(sharp, _vignette, sharp);
        }
        var (_, mag) = FocusAndMagnification(position);
        var height = new Mat();
        using (var roi = new Mat(_height, r))
        {
            roi.CopyTo(height);
        }
        var fullScale = format == PixelFormat.Mono8 ? 255.0 : 4095.0;
        var allInFocus = new Mat();
        using (var roi = new Mat(sharp, r))
        {
            roi.ConvertTo(allInFocus, MatType.CV_32FC1, exposure.TotalMilliseconds * _o.SensitivityPerMillisecond * gain * fullScale);
        }
        Cv2.Min(allInFocus, new Scalar(fullScale), allInFocus);
        return new CameraGroundTruth(height, allInFocus, r, _o.PixelSizeMicrometres / mag);
    }

    /// <summary>Scene-frame coordinates (µm) of frame pixel (u, v) at a stage position, without jitter.</summary>
    public Point2d SceneCoordinatesOf(StagePosition position, double u, double v)
    {
        var m = Affine(position, 0, 0, out _);
        var i = (m[0] * u) + (m[1] * v) + m[2];
        var j = (m[3] * u) + (m[4] * v) + m[5];
        return new Point2d(_scene.OriginXMicrometres + (i * _scene.ResolutionMicrometres), _scene.OriginYMicrometres + (j * _scene.ResolutionMicrometres));
    }

    public (double FocusHeightMicrometres, double Magnification) FocusAndMagnification(StagePosition position)
    {
        var zf = position.Z.Value - _o.ZAtDatumFocusMicrometres;
        return (zf, 1 + (_o.MagnificationChangePerMicrometre * zf));
    }

    private (int[] LevelOf, float[] WeightOf, int UsedLevels) DefocusTable(double maxDz, double pixelMicrometres)
    {
        var n = (int)Math.Ceiling(Math.Min(maxDz, 20000) / DzStepMicrometres) + 2;
        var levelOf = new int[n];
        var weightOf = new float[n];
        var used = 0;
        var sigma0 = _diffractionSigmaMicrometres / pixelMicrometres;
        for (var t = 0; t < n; t++)
        {
            var dz = t * DzStepMicrometres;
            var blurRadius = dz * _tanAlpha / pixelMicrometres;
            var sigma = Math.Sqrt((sigma0 * sigma0) + (0.25 * blurRadius * blurRadius));
            var lo = 0;
            while (lo + 1 < LevelSpec.Length && LevelSpec[lo + 1].Sigma <= sigma)
            {
                lo++;
            }
            if (lo + 1 >= LevelSpec.Length)
            {
                levelOf[t] = LevelSpec.Length - 1;
                weightOf[t] = 0;
                used = LevelSpec.Length - 1;
                continue;
            }
            var w = (sigma - LevelSpec[lo].Sigma) / (LevelSpec[lo + 1].Sigma - LevelSpec[lo].Sigma);
            levelOf[t] = lo;
            weightOf[t] = (float)w;
            used = Math.Max(used, w > 0 ? lo + 1 : lo);
        }
        return (levelOf, weightOf, used);
    }

    private void BuildLevels(int used)
    {
        _levels[0] = _sharp;
        var maxK = 0;
        for (var i = 1; i <= used; i++)
        {
            maxK = Math.Max(maxK, LevelSpec[i].K);
        }
        _pyramid[0] = _sharp;
        for (var k = 1; k <= maxK; k++)
        {
            _pyramid[k] ??= new Mat();
            Cv2.PyrDown(_pyramid[k - 1], _pyramid[k]);
        }
        for (var i = 1; i <= used; i++)
        {
            var (sigma, k) = LevelSpec[i];
            // PyrDown's 5-tap kernel has σ = 1 of its input pixels; level k already carries σ² = (4^k − 1)/3.
            var carried = ((1 << (2 * k)) - 1) / 3.0;
            var extra = Math.Sqrt(Math.Max(0.01, (sigma * sigma) - carried)) / (1 << k);
            _levels[i] ??= new Mat();
            Cv2.GaussianBlur(_pyramid[k], _levels[i]!, new Size(0, 0), extra, extra, BorderTypes.Reflect101);
        }
    }

    /// <summary>Warps the scene to the frame and shades it; returns the height range seen.</summary>
    private unsafe (float Min, float Max) RenderSharp(StagePosition position, LightingState lighting, double jx, double jy, Mat target)
    {
        var pixelMicrometres = WarpScene(position, jx, jy);
        Stage("warp");
        // Slopes by central differences on the frame grid, in the camera's axes: dh/du, dh/dv in µm per µm.
        var slopeScale = (float)(1 / (2 * pixelMicrometres));
        var table = TableFor(lighting).Values;
        var w = _o.Width;
        var h = _o.Height;
        nint hp = _height.Data, ap = _albedo.Data, sp = target.Data;
        long ws = _height.Step(), ss = target.Step();
        var mins = new float[h];
        var maxs = new float[h];
        var scale = ShadingTable.Scale;
        var max = ShadingTable.MaxSlope;
        const int last = ShadingTable.Size - 1;
        fixed (float* tp0 = table)
        {
            var tp = (nint)tp0;
            Parallel.For(0, h, v =>
            {
                var hrow = (float*)(hp + (v * ws));
                var arow = (float*)(ap + (v * ws));
                var above = (float*)(hp + (Math.Max(0, v - 1) * ws));
                var below = (float*)(hp + (Math.Min(h - 1, v + 1) * ws));
                var srow = (float*)(sp + (v * ss));
                var tab = (float*)tp;
                var lo = float.MaxValue;
                var hi = float.MinValue;
                for (var u = 0; u < w; u++)
                {
                    var height = hrow[u];
                    if (height < lo) lo = height;
                    if (height > hi) hi = height;
                    var left = u > 0 ? hrow[u - 1] : height;
                    var right = u < w - 1 ? hrow[u + 1] : height;
                    var gx = (((right - left) * slopeScale) + max) * scale;
                    var gy = (((below[u] - above[u]) * slopeScale) + max) * scale;
                    if (gx < 0) gx = 0; else if (gx > last - 0.001f) gx = last - 0.001f;
                    if (gy < 0) gy = 0; else if (gy > last - 0.001f) gy = last - 0.001f;
                    var ix = (int)gx;
                    var iy = (int)gy;
                    var ax = gx - ix;
                    var ay = gy - iy;
                    var t0 = tab + (iy * ShadingTable.Size) + ix;
                    var t1 = t0 + ShadingTable.Size;
                    var top = t0[0] + (ax * (t0[1] - t0[0]));
                    var bottom = t1[0] + (ax * (t1[1] - t1[0]));
                    srow[u] = arow[u] * (top + (ay * (bottom - top)));
                }
                mins[v] = lo;
                maxs[v] = hi;
            });
        }
        return (mins.Min(), maxs.Max());
    }

    private void RenderSharpHeightsOnly(StagePosition position, double jx, double jy) => _ = WarpScene(position, jx, jy);

    /// <summary>
    /// Warps height and albedo onto the frame grid; returns the object-side pixel size there (µm). Slopes are then
    /// taken on the frame grid, in the camera's own axes, so the shading table needs no rotation.
    /// </summary>
    /// <remarks>
    /// Bicubic, not bilinear: the scene's textures vary at the raster pitch, and bilinear sampling at sub-pixel
    /// phase φ keeps only ((1−φ)² + φ²)² of their high-frequency energy in 2-D (¼ at φ = ½), where a camera imaging
    /// a real surface sees the same contrast at any phase. With the magnification drift the phase of a pixel changes
    /// with focus (k·r px per µm at radius r), so bilinear sampling multiplied each pixel's focus curve by a slow
    /// ramp and biased its depth by up to a micrometre (docs/workflow.md, "Depth accuracy"). Bicubic keeps the
    /// energy the stacker's focus measure sees within a few per cent of phase-independent. Height and albedo are
    /// interleaved once (a copy of the scene) so one warp computes each pixel's taps for both: ≈ 80 ms CPU per full
    /// frame against 40 bilinear and 105 as two bicubic warps; Lanczos-4 costs ≈ 220 ms, over the render budget.
    /// </remarks>
    private double WarpScene(StagePosition position, double jx, double jy)
    {
        var m = Affine(position, jx, jy, out var mag);
        if (_rasterFactor > 1)
        {
            // Raster cell x is the averaged cell (x − (f − 1) / 2) / f.
            var f = (double)_rasterFactor;
            for (var row = 0; row < 2; row++)
            {
                m[3 * row] /= f;
                m[(3 * row) + 1] /= f;
                m[(3 * row) + 2] = (m[(3 * row) + 2] - ((f - 1) / 2)) / f;
            }
        }
        using var affine = new Mat(2, 3, MatType.CV_64FC1);
        affine.SetArray(m);
        var size = new Size(_o.Width, _o.Height);
        const InterpolationFlags flags = InterpolationFlags.Cubic | InterpolationFlags.WarpInverseMap;
        Cv2.WarpAffine(_sceneRasters, _warped, affine, size, flags, BorderTypes.Constant, new Scalar(_scene.OutsideHeightMicrometres, 0));
        Cv2.ExtractChannel(_warped, _height, 0);
        Cv2.ExtractChannel(_warped, _albedo, 1);
        return _o.PixelSizeMicrometres / mag;
    }

    /// <summary>Frame pixel (u, v) → scene raster pixel, as the 2×3 inverse map WarpAffine takes.</summary>
    private double[] Affine(StagePosition position, double jx, double jy, out double magnification)
    {
        var (_, mag) = FocusAndMagnification(position);
        magnification = mag;
        var theta = _o.CameraToStageRotationDegrees * Math.PI / 180;
        var (st, ct) = Math.SinCos(theta);
        var r = _scene.ResolutionMicrometres;
        var s = _o.PixelSizeMicrometres / (mag * r);
        // Field centre in the scene frame: stage moves of +X/+Y move the field of view +x/+y over the scene.
        var cx = (position.X.Value - _o.SceneOriginXMachineMicrometres - _scene.OriginXMicrometres) / r;
        var cy = (position.Y.Value - _o.SceneOriginYMachineMicrometres - _scene.OriginYMicrometres) / r;
        var cu = (_o.Width - 1) / 2.0;
        var cv = (_o.Height - 1) / 2.0;
        // Jitter shifts the image content by (jx, jy) pixels.
        var du = -cu - jx;
        var dv = -cv - jy;
        double[] m =
        [
            s * ct, -s * st, cx + (s * ((ct * du) - (st * dv))),
            s * st, s * ct, cy + (s * ((st * du) + (ct * dv))),
        ];
        if (_o.MirrorImage)
        {
            // Column u shows what an unmirrored camera shows at column (Width − 1 − u).
            m[2] += m[0] * (_o.Width - 1);
            m[5] += m[3] * (_o.Width - 1);
            m[0] = -m[0];
            m[3] = -m[3];
        }
        return m;
    }

    private double MaxDisplacementPixels(ExposureSample[] probe)
    {
        var max = 0.0;
        var p0 = probe[0].Position;
        foreach (var p in probe)
        {
            var dx = p.Position.X.Value - p0.X.Value;
            var dy = p.Position.Y.Value - p0.Y.Value;
            max = Math.Max(max, Math.Sqrt((dx * dx) + (dy * dy)) / _o.PixelSizeMicrometres);
            // A Z move during the exposure smears focus; count a depth-of-field's worth as a pixel of motion.
            max = Math.Max(max, Math.Abs(p.Position.Z.Value - p0.Z.Value) / 5.0);
        }
        return max;
    }

    private ShadingTable TableFor(LightingState lighting)
    {
        var key = Key(lighting);
        if (!_tables.TryGetValue(key, out var table))
        {
            if (_tables.Count > 64)
            {
                _tables.Clear();
            }
            table = ShadingTable.Build(lighting, _scene.Material, _o);
            _tables[key] = table;
        }
        return table;
    }

    private static string Key(LightingState l) =>
        string.Join(",", l.Segments.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
        + "|" + l.Coaxial.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static bool SameLighting(LightingState a, LightingState b) =>
        a.Coaxial == b.Coaxial && a.Segments.AsSpan().SequenceEqual(b.Segments.AsSpan());

    /// <summary>SplitMix64 of two words: a deterministic seed per (camera seed, frame).</summary>
    private static ulong Mix(ulong a, ulong b)
    {
        var z = a + (b * 0x9E3779B97F4A7C15UL) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>One blur level as the final pass reads it: full resolution (K = 0) or a pyramid level sampled bilinearly.</summary>
    private readonly record struct LevelView(nint Data, long Stride, int Cols, int Rows, int K);

    /// <summary>
    /// Defocus blend, noise and quantisation for one row. Everything the hot loop needs is passed by value, so it
    /// lives in registers and locals rather than in a closure.
    /// </summary>
    private struct FinalPass
    {
        public int Width;
        public int Bpp;
        public nint Height;
        public long HeightStride;
        public float FocusHeight;
        public float InvDzStep;
        public int TableMax;
        public float Scale;
        public float FullScale;
        public float SigmaScale;
        public int SigmaSteps;
        public ulong FrameSeed;
        public int UsedLevels;
        public nint Output;
        public nint LevelOf;
        public nint WeightOf;
        public nint SigmaOf;
        public LevelArray Levels;

        public static unsafe void Row(FinalPass p, int v, RowScratch scratch, ColumnMap?[] columnMaps)
        {
            var hrow = (float*)(p.Height + (v * p.HeightStride));
            var levelOf = (int*)p.LevelOf;
            var weightOf = (float*)p.WeightOf;
            var sigmaOf = (float*)p.SigmaOf;
            var focus = p.FocusHeight;
            var inv = p.InvDzStep;
            var tableMax = p.TableMax;
            var width = p.Width;
            // Pass 1: the defocus table entry of every pixel, and the range of levels this row needs.
            var tMin = int.MaxValue;
            var tMax = 0;
            fixed (int* tp = scratch.TableIndex)
            {
                for (var u = 0; u < width; u++)
                {
                    var dz = focus - hrow[u];
                    if (dz < 0) dz = -dz;
                    var t = (int)(dz * inv);
                    if (t > tableMax) t = tableMax;
                    tp[u] = t;
                    if (t < tMin) tMin = t;
                    if (t > tMax) tMax = t;
                }
            }
            var firstLevel = levelOf[tMin];
            var lastLevel = Math.Min(p.UsedLevels, levelOf[tMax] + 1);
            // Pass 2: each needed level's row at full resolution. Levels 0–2 are full resolution already; coarser
            // ones are upsampled bilinearly (rows first at their own resolution, then columns through the shared
            // column map), once per row instead of once per pixel and level.
            var rows = stackalloc float*[LevelSpec.Length];
            for (var i = firstLevel; i <= lastLevel; i++)
            {
                var level = p.Levels[i];
                if (level.K == 0)
                {
                    rows[i] = (float*)(level.Data + (v * level.Stride));
                    continue;
                }
                // PyrDown centres coarse pixel y on fine pixel 2^k·y (not on the block centre), so fine row v sits at
                // v / 2^k; the area convention would shift blurred content by (2^k − 1)/2 px as defocus grows.
                var f = 1 << level.K;
                var y = (float)v / f;
                if (y > level.Rows - 1) y = level.Rows - 1;
                var y0 = (int)y;
                var y1 = Math.Min(y0 + 1, level.Rows - 1);
                var ay = y - y0;
                var r0 = (float*)(level.Data + (y0 * level.Stride));
                var r1 = (float*)(level.Data + (y1 * level.Stride));
                var map = columnMaps[level.K]!;
                fixed (float* lowp = scratch.LowResRow)
                fixed (float* outp = scratch.Row(i))
                fixed (int* x0p = map.Left)
                fixed (float* axp = map.Weight)
                {
                    var cols = level.Cols;
                    for (var x = 0; x < cols; x++)
                    {
                        lowp[x] = r0[x] + (ay * (r1[x] - r0[x]));
                    }
                    // One column of padding, so that the last column's right neighbour is itself.
                    lowp[cols] = lowp[cols - 1];
                    for (var u = 0; u < width; u++)
                    {
                        var x0 = x0p[u];
                        var a = lowp[x0];
                        outp[u] = a + (axp[u] * (lowp[x0 + 1] - a));
                    }
                    rows[i] = outp;
                }
            }
            var scale = p.Scale;
            var fullScale = p.FullScale;
            var sigmaScale = p.SigmaScale;
            var sigmaSteps = p.SigmaSteps;
            // A per-row xorshift stream keeps the noise deterministic whatever thread renders the row.
            var state = (p.FrameSeed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(v + 1) * 0xD1B54A32D192ED03UL);
            if (state == 0)
            {
                state = 1;
            }
            var out8 = (byte*)p.Output + ((long)v * width);
            var out16 = (ushort*)p.Output + ((long)v * width);
            var eightBit = p.Bpp == 1;
            // Pass 3: blend the two levels bracketing each pixel's blur, add noise, quantise.
            fixed (int* tp = scratch.TableIndex)
            {
                for (var u = 0; u < width; u++)
                {
                    var t = tp[u];
                    var lo = levelOf[t];
                    var wt = weightOf[t];
                    var value = rows[lo][u];
                    if (wt > 0)
                    {
                        value += wt * (rows[lo + 1][u] - value);
                    }
                    var signal = value * scale;
                    if (signal < 0) signal = 0;
                    var si = (int)(signal * sigmaScale);
                    if (si > sigmaSteps) si = sigmaSteps;
                    // Gaussian noise from the sum of four 16-bit uniforms (Irwin–Hall), one xorshift step per pixel.
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    var sum = (float)((state & 0xFFFF) + ((state >> 16) & 0xFFFF) + ((state >> 32) & 0xFFFF) + (state >> 48));
                    var gauss = (sum - 131070f) * (1f / 37837.2f);
                    var dn = (signal + (sigmaOf[si] * gauss)) * fullScale;
                    var q = dn <= 0 ? 0 : dn >= fullScale ? (int)fullScale : (int)(dn + 0.5f);
                    if (eightBit)
                    {
                        out8[u] = (byte)q;
                    }
                    else
                    {
                        out16[u] = (ushort)q;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Per-worker row buffers of the final pass. Pinned (allocated on the pinned heap), because the pass keeps raw
    /// pointers to the upsampled rows across the whole row.
    /// </summary>
    private sealed class RowScratch(int width, int levels)
    {
        private readonly float[]?[] _rows = new float[]?[levels];

        public int[] TableIndex { get; } = GC.AllocateArray<int>(width, pinned: true);

        public float[] LowResRow { get; } = GC.AllocateArray<float>(width + 1, pinned: true);

        public float[] Row(int level) => _rows[level] ??= GC.AllocateArray<float>(width, pinned: true);
    }

    /// <summary>For upsampling a pyramid level by 2^k: each output column's left source column and its weight.</summary>
    private sealed class ColumnMap
    {
        private ColumnMap(int[] left, float[] weight)
        {
            Left = left;
            Weight = weight;
        }

        public int[] Left { get; }

        public float[] Weight { get; }

        public static ColumnMap For(int width, int cols, int k)
        {
            var left = new int[width];
            var weight = new float[width];
            var f = 1 << k;
            for (var u = 0; u < width; u++)
            {
                // Same grid as the rows: coarse pixel x is centred on fine pixel 2^k·x (PyrDown's convention).
                var x = (float)u / f;
                if (x > cols - 1) x = cols - 1;
                var x0 = (int)x;
                left[u] = x0;
                weight[u] = x - x0;
            }
            return new ColumnMap(left, weight);
        }
    }

    [System.Runtime.CompilerServices.InlineArray(16)]
    private struct LevelArray
    {
        private LevelView _first;
    }

    public void Dispose()
    {
        _vignette?.Dispose();
        _height.Dispose();
        _albedo.Dispose();
        _sceneRasters.Dispose();
        _warped.Dispose();
        _sharp.Dispose();
        _accumulated.Dispose();
        for (var k = 1; k < _pyramid.Length; k++)
        {
            _pyramid[k]?.Dispose();
        }
        for (var i = 1; i < _levels.Length; i++)
        {
            _levels[i]?.Dispose();
        }
    }
}
