namespace Acquisition.HardwareSim.Surface;

/// <summary>Firing-pin impression profiles (the OpenFMC FiringPinClass names where they exist).</summary>
public enum FiringPinShape
{
    /// <summary>Round pin tip: a smooth bowl, deepest in the middle.</summary>
    Hemispherical,

    /// <summary>Flat-faced round pin: steep wall and a flat floor.</summary>
    Circular,

    /// <summary>A bowl stretched along x by <see cref="FiringPinImpression.Aspect"/>.</summary>
    Elliptical,

    /// <summary>Rectangular (Glock-like) pin: a flat floor with a rectangular outline.</summary>
    Rectangular,
}
