namespace Acquisition.HardwareSim.Surface;

/// <summary>
/// Reflectance of a scene: Lambertian diffuse plus a Blinn-Phong specular lobe (brass is strongly specular, a white
/// target not at all).
/// </summary>
public sealed record SurfaceMaterial(double Diffuse, double Specular, double Shininess)
{
    public static SurfaceMaterial Brass => new(0.55, 0.6, 40);
    public static SurfaceMaterial DiffuseWhite => new(0.95, 0, 1);
    public static SurfaceMaterial Chrome => new(0.35, 0.8, 60);
}
