using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Surface;

namespace Acquisition.HardwareSim.Camera;

/// <summary>
/// Radiance of a unit-albedo surface element as a function of its slopes (dh/du, dh/dv in the camera's axes) under
/// one lighting: every lit ring segment is one distant light (Lambert + Blinn-Phong), the coaxial light comes down
/// the optical axis. Tabulated so shading costs one bilinear lookup per pixel, whatever the number of lights.
/// </summary>
internal sealed class ShadingTable
{
    public const int Size = 384;
    public const float MaxSlope = 4f;

    private ShadingTable(float[] values) => Values = values;

    /// <summary>Row-major Size×Size: row = dh/dy, column = dh/dx, from −MaxSlope to +MaxSlope.</summary>
    public float[] Values { get; }

    public static float Scale => (Size - 1) / (2 * MaxSlope);

    public static ShadingTable Build(LightingState lighting, SurfaceMaterial material, SimulatedCameraOptions o)
    {
        var lights = new List<(double X, double Y, double Z, double HX, double HY, double HZ, double I)>();
        var elev = o.RingElevationDegrees * Math.PI / 180;
        var (se, ce) = Math.SinCos(elev);
        for (var k = 0; k < lighting.Segments.Length; k++)
        {
            var intensity = lighting.Segments[k] * o.EfficiencyOf(k);
            if (intensity <= 0)
            {
                continue;
            }
            var phi = (o.RingAzimuthOfSegmentZeroDegrees + (k * 360.0 / Math.Max(1, lighting.Segments.Length))) * Math.PI / 180;
            // Camera frame (u right, v down, z to the camera); "counter-clockwise as displayed" means towards −v.
            // The ring is mounted on the optics, so it turns with the camera, not with the stage.
            var lx = ce * Math.Cos(phi);
            var ly = -ce * Math.Sin(phi);
            var (hx, hy, hz) = Normalise(lx, ly, se + 1);
            lights.Add((lx, ly, se, hx, hy, hz, intensity));
        }
        if (lighting.Coaxial > 0)
        {
            lights.Add((0, 0, 1, 0, 0, 1, lighting.Coaxial));
        }
        var values = new float[Size * Size];
        var kd = material.Diffuse;
        var ks = material.Specular;
        var shin = material.Shininess;
        Parallel.For(0, Size, row =>
        {
            var b = -MaxSlope + (row / Scale);
            for (var col = 0; col < Size; col++)
            {
                var a = -MaxSlope + (col / Scale);
                var inv = 1 / Math.Sqrt(1 + (a * a) + (b * b));
                var nx = -a * inv;
                var ny = -b * inv;
                var nz = inv;
                double sum = 0;
                foreach (var l in lights)
                {
                    var ndl = (nx * l.X) + (ny * l.Y) + (nz * l.Z);
                    if (ndl <= 0)
                    {
                        continue;
                    }
                    var ndh = (nx * l.HX) + (ny * l.HY) + (nz * l.HZ);
                    sum += l.I * ((kd * ndl) + (ndh > 0 && ks > 0 ? ks * Math.Pow(ndh, shin) : 0));
                }
                values[(row * Size) + col] = (float)sum;
            }
        });
        return new ShadingTable(values);
    }

    private static (double, double, double) Normalise(double x, double y, double z)
    {
        var n = Math.Sqrt((x * x) + (y * y) + (z * z));
        return (x / n, y / n, z / n);
    }
}
