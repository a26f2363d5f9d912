namespace Acquisition.Core.Domain;

/// <summary>INTERPOL IBIN search-protocol flags: any one set routes the capture to the international exchange.</summary>
public sealed record SearchProtocolFlags(
    bool RecoveredNearBorder = false,
    bool RecoveredByCustomsOrBorder = false,
    bool FromSuspectedTrafficker = false,
    bool TerrorismRelated = false,
    bool FromForeignResident = false)
{
    public bool Any => RecoveredNearBorder || RecoveredByCustomsOrBorder || FromSuspectedTrafficker || TerrorismRelated || FromForeignResident;
}
