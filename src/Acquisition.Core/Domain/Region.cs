namespace Acquisition.Core.Domain;

/// <summary>The marks on a casing head that a station images. Names match the OpenFMC region-of-interest terms.</summary>
public enum Region
{
    BreechFace,
    FiringPinImpression,
    EjectorMark,
    ApertureShear,
}
