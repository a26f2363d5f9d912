using OpenCvSharp;

namespace Acquisition.HardwareSim.Surface;

/// <summary>
/// A rasterised scene in the stage-aligned scene frame: x right, y down as the camera sees it at zero rotation, z up
/// towards the camera, micrometres. Raster pixel (i, j) has its centre at
/// (<see cref="OriginXMicrometres"/> + i·r, <see cref="OriginYMicrometres"/> + j·r) with r =
/// <see cref="ResolutionMicrometres"/>. For a casing the scene origin (0, 0) is the primer centre.
/// </summary>
public sealed class SurfaceScene : IDisposable
{
    public SurfaceScene(string name, Mat heightMicrometres, Mat albedo, double resolutionMicrometres,
        double originXMicrometres, double originYMicrometres, SurfaceMaterial material, float outsideHeightMicrometres)
    {
        ArgumentNullException.ThrowIfNull(heightMicrometres);
        ArgumentNullException.ThrowIfNull(albedo);
        if (heightMicrometres.Type() != MatType.CV_32FC1 || albedo.Type() != MatType.CV_32FC1 || heightMicrometres.Size() != albedo.Size())
        {
            throw new ArgumentException("Scene height and albedo must be single-channel float rasters of the same size.");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resolutionMicrometres);
        Name = name;
        HeightMicrometres = heightMicrometres;
        Albedo = albedo;
        ResolutionMicrometres = resolutionMicrometres;
        OriginXMicrometres = originXMicrometres;
        OriginYMicrometres = originYMicrometres;
        Material = material;
        OutsideHeightMicrometres = outsideHeightMicrometres;
    }

    public string Name { get; }

    /// <summary>Height per raster pixel, µm, CV_32FC1.</summary>
    public Mat HeightMicrometres { get; }

    /// <summary>Diffuse albedo per raster pixel (0–1), CV_32FC1.</summary>
    public Mat Albedo { get; }

    public double ResolutionMicrometres { get; }
    public double OriginXMicrometres { get; }
    public double OriginYMicrometres { get; }
    public SurfaceMaterial Material { get; }

    /// <summary>Height reported outside the raster (far below any focus: nothing there).</summary>
    public float OutsideHeightMicrometres { get; }

    public int Width => HeightMicrometres.Cols;
    public int Height => HeightMicrometres.Rows;

    /// <summary>Bilinear height at scene point (x, y) µm.</summary>
    public double HeightAt(double xMicrometres, double yMicrometres) => Sample(HeightMicrometres, xMicrometres, yMicrometres, OutsideHeightMicrometres);

    /// <summary>Bilinear albedo at scene point (x, y) µm.</summary>
    public double AlbedoAt(double xMicrometres, double yMicrometres) => Sample(Albedo, xMicrometres, yMicrometres, 0);

    private double Sample(Mat m, double x, double y, double outside)
    {
        var fx = (x - OriginXMicrometres) / ResolutionMicrometres;
        var fy = (y - OriginYMicrometres) / ResolutionMicrometres;
        var i = (int)Math.Floor(fx);
        var j = (int)Math.Floor(fy);
        if (i < 0 || j < 0 || i + 1 >= m.Cols || j + 1 >= m.Rows)
        {
            return outside;
        }
        var ax = fx - i;
        var ay = fy - j;
        var v00 = m.At<float>(j, i);
        var v10 = m.At<float>(j, i + 1);
        var v01 = m.At<float>(j + 1, i);
        var v11 = m.At<float>(j + 1, i + 1);
        return ((1 - ay) * (((1 - ax) * v00) + (ax * v10))) + (ay * (((1 - ax) * v01) + (ax * v11)));
    }

    public void Dispose()
    {
        HeightMicrometres.Dispose();
        Albedo.Dispose();
    }
}
