namespace Acquisition.HardwareSim.Surface;

/// <summary>The firing-pin crater in the primer, micrometres; the offset is from the primer centre.</summary>
public sealed record FiringPinImpression(
    FiringPinShape Shape = FiringPinShape.Hemispherical,
    double RadiusMicrometres = 750,
    double DepthMicrometres = 200,
    double OffsetXMicrometres = 0,
    double OffsetYMicrometres = 0,
    double Aspect = 1.4);
