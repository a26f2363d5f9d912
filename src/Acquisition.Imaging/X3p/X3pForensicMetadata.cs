namespace Acquisition.Imaging.X3p;

/// <summary>
/// The OpenFMC (open-fmc-revision-1.xsd) cartridge-case metadata the station records with each height map. It is
/// stored as its own XML file in the container because ISO 5436-2 main.xml has no extension point but
/// VendorSpecificID.
/// </summary>
public sealed record X3pForensicMetadata(
    string AgencyId,
    string AgencyCaseNumber,
    string ItemNumber,
    string Calibre,
    IReadOnlyList<X3pRegionOfInterest> Regions,
    string? Comment = null);
