namespace Acquisition.Imaging.X3p;

/// <summary>Cartridge-case regions of interest, named as the OpenFMC schema's CartridgeCaseROI enumeration.</summary>
public enum X3pRegionOfInterest
{
    BreechFace,
    FiringPinImpression,
    EjectorMark,
    ApertureShear,
}
