using Acquisition.Core.Domain;

namespace Acquisition.Workflow.Capture.Record;

/// <summary>The INTERPOL IBIN search-protocol flags, spelled out in capture.json.</summary>
public sealed record SearchProtocolRecord(
    bool RecoveredWithin80KmOfInternationalBorder,
    bool RecoveredByCustomsOrBorderOfficials,
    bool FromSuspectedTraffickersOfContraband,
    bool RelatedToTerrorism,
    bool FromPersonResidentInAnotherCountry,
    bool Any)
{
    public static SearchProtocolRecord From(SearchProtocolFlags f) =>
        new(f.RecoveredNearBorder, f.RecoveredByCustomsOrBorder, f.FromSuspectedTrafficker, f.TerrorismRelated, f.FromForeignResident, f.Any);
}
