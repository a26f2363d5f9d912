using OpenCvSharp;

namespace Acquisition.HardwareSim.Surface;

/// <summary>
/// Ready-made scenes: casings (default textured, polished primer, reference casing with a stored topography) and
/// calibration targets (dot grid, stage micrometer, diffuse white, step-height standard). Every target takes its
/// true dimensions as parameters, so a test can give the simulator a truth that differs from what the station is
/// configured with and prove that a calibration recovers it. Camera-side truths (true pixel size, camera–stage
/// rotation) live in <c>SimulatedCameraOptions</c>.
/// </summary>
public static class SurfacePresets
{
    public const double DefaultResolutionMicrometres = 2.5;

    /// <summary>A casing head from a model; the default extent covers the whole head.</summary>
    public static SurfaceScene Casing(CasingHeadModel model, SceneExtent? extent = null, double resolutionMicrometres = DefaultResolutionMicrometres)
    {
        ArgumentNullException.ThrowIfNull(model);
        extent ??= new SceneExtent(model.Geometry.HeadRadius + 300);
        return CasingRasteriser.Build($"casing {model.Geometry.Calibre}", model, extent, resolutionMicrometres);
    }

    /// <summary>The default textured 9 mm Luger casing with procedural breech-face marks.</summary>
    public static SurfaceScene DefaultCasing(SceneExtent? extent = null, int seed = 1) =>
        Casing(new CasingHeadModel { Seed = seed }, extent);

    /// <summary>A polished, nearly texture-free primer: focus cannot be measured on it, and QC must say so.</summary>
    public static SurfaceScene PolishedPrimer(SceneExtent? extent = null, int seed = 1) =>
        Casing(PolishedPrimerModel(seed), extent);

    public static CasingHeadModel PolishedPrimerModel(int seed = 1) => new()
    {
        Seed = seed,
        BreechFaceMarksRmsMicrometres = 0,
        PrimerMicroRoughnessRmsMicrometres = 0.003,
        PrimerAlbedoTexture = 0.002,
        Material = SurfaceMaterial.Chrome,
    };

    /// <summary>A reference casing whose breech face carries a stored (measured) topography from an X3P file.</summary>
    public static SurfaceScene ReferenceCasing(string breechFaceX3pPath, SceneExtent? extent = null, int seed = 1) =>
        Casing(new CasingHeadModel { Seed = seed, BreechFaceX3pPath = breechFaceX3pPath }, extent);

    /// <summary>A flat chrome-on-glass dot grid: dark dots on a bright field at the true pitch, optionally rotated on the stage.</summary>
    public static SurfaceScene DotGrid(double pitchMicrometres = 100, double dotDiameterMicrometres = 40, double rotationDegrees = 0,
        double halfWidthMicrometres = 4000, double resolutionMicrometres = DefaultResolutionMicrometres)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pitchMicrometres);
        var (h, a, o) = Flat(halfWidthMicrometres, resolutionMicrometres, 0.9);
        var (s, c) = Math.SinCos(rotationDegrees * Math.PI / 180);
        var count = (int)(halfWidthMicrometres * 1.5 / pitchMicrometres);
        const int shift = 8;
        var f = 1 << shift;
        var radius = (int)Math.Round(dotDiameterMicrometres / 2 / resolutionMicrometres * f);
        for (var iy = -count; iy <= count; iy++)
        {
            for (var ix = -count; ix <= count; ix++)
            {
                var x = ((ix * c) - (iy * s)) * pitchMicrometres;
                var y = ((ix * s) + (iy * c)) * pitchMicrometres;
                var px = (x - o) / resolutionMicrometres;
                var py = (y - o) / resolutionMicrometres;
                if (px < -50 || py < -50 || px > a.Cols + 50 || py > a.Rows + 50)
                {
                    continue;
                }
                Cv2.Circle(a, new Point((int)Math.Round(px * f), (int)Math.Round(py * f)), radius, Scalar.All(0.05), -1, LineTypes.AntiAlias, shift);
            }
        }
        AddAlbedoTexture(a, 0.01, 11);
        return new SurfaceScene($"dot grid {pitchMicrometres} µm", h, a, resolutionMicrometres, o, o, SurfaceMaterial.DiffuseWhite, -1500);
    }

    /// <summary>A stage micrometer: vertical lines every division (long ones every fifth), centred on the origin.</summary>
    public static SurfaceScene StageMicrometer(double divisionMicrometres = 100, double lineWidthMicrometres = 10, double rotationDegrees = 0,
        double halfWidthMicrometres = 4000, double resolutionMicrometres = DefaultResolutionMicrometres)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisionMicrometres);
        var (h, a, o) = Flat(halfWidthMicrometres, resolutionMicrometres, 0.9);
        var (s, c) = Math.SinCos(rotationDegrees * Math.PI / 180);
        var count = (int)(halfWidthMicrometres * 0.8 / divisionMicrometres);
        const int shift = 8;
        var f = 1 << shift;
        foreach (var k in Enumerable.Range(-count, (2 * count) + 1))
        {
            var len = k % 5 == 0 ? 1000.0 : 500.0;
            var x0 = k * divisionMicrometres;
            Point P(double x, double y)
            {
                var xr = (x * c) - (y * s);
                var yr = (x * s) + (y * c);
                return new Point((int)Math.Round((xr - o) / resolutionMicrometres * f), (int)Math.Round((yr - o) / resolutionMicrometres * f));
            }
            var w = lineWidthMicrometres / 2;
            Cv2.FillConvexPoly(a, new[] { P(x0 - w, -len), P(x0 + w, -len), P(x0 + w, 0), P(x0 - w, 0) }, Scalar.All(0.05), LineTypes.AntiAlias, shift);
        }
        AddAlbedoTexture(a, 0.01, 12);
        return new SurfaceScene($"stage micrometer {divisionMicrometres} µm", h, a, resolutionMicrometres, o, o, SurfaceMaterial.DiffuseWhite, -1500);
    }

    /// <summary>A diffuse white target (flat-field calibration): Lambertian, 1 % fine texture.</summary>
    public static SurfaceScene DiffuseWhite(double halfWidthMicrometres = 4000, double resolutionMicrometres = DefaultResolutionMicrometres)
    {
        var (h, a, o) = Flat(halfWidthMicrometres, resolutionMicrometres, 0.9);
        AddAlbedoTexture(a, 0.01, 13);
        return new SurfaceScene("diffuse white", h, a, resolutionMicrometres, o, o, SurfaceMaterial.DiffuseWhite, -1500);
    }

    /// <summary>
    /// A step-height standard: two flat, finely textured (ground) levels; x &lt; 0 at height 0, x ≥ 0 at the true
    /// step height.
    /// </summary>
    public static SurfaceScene StepHeight(double stepMicrometres = 100, double halfWidthMicrometres = 4000, double resolutionMicrometres = DefaultResolutionMicrometres)
    {
        var (h, a, o) = Flat(halfWidthMicrometres, resolutionMicrometres, 0.75);
        var firstRight = (int)Math.Ceiling((0 - o) / resolutionMicrometres);
        using (var right = new Mat(h, new Rect(firstRight, 0, h.Cols - firstRight, h.Rows)))
        {
            right.SetTo(Scalar.All(stepMicrometres));
        }
        AddAlbedoTexture(a, 0.05, 14);
        return new SurfaceScene($"step height {stepMicrometres} µm", h, a, resolutionMicrometres, o, o, new SurfaceMaterial(0.8, 0.1, 10), -1500);
    }

    private static (Mat Height, Mat Albedo, double Origin) Flat(double halfWidth, double res, double albedo)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(halfWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(res);
        var n = (int)Math.Ceiling(2 * halfWidth / res) + 1;
        return (new Mat(n, n, MatType.CV_32FC1, Scalar.All(0)), new Mat(n, n, MatType.CV_32FC1, Scalar.All(albedo)), -halfWidth);
    }

    private static void AddAlbedoTexture(Mat albedo, double relative, ulong seed)
    {
        using var noise = NoiseField.Create(albedo.Size(), seed, 0.6);
        Cv2.Multiply(noise, new Scalar(relative), noise);
        Cv2.Add(noise, new Scalar(1), noise);
        Cv2.Multiply(albedo, noise, albedo);
    }
}
