namespace Acquisition.HardwareSim.Surface;

/// <summary>The square part of the scene that is rasterised, micrometres (scene frame). Tests rasterise less.</summary>
public sealed record SceneExtent(double HalfWidthMicrometres, double CentreXMicrometres = 0, double CentreYMicrometres = 0);
