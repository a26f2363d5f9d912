namespace Acquisition.Station.Web;

/// <summary>The case fields as the page posts them (all text: the server parses and reports per field).</summary>
public sealed record CaseForm(
    string? Agency,
    string? CaseNumber,
    string? Exhibit,
    string? Item,
    string? Calibre,
    string? RecoveryDate,
    string? RecoveryLocation,
    bool RecoveredNearBorder,
    bool RecoveredByCustomsOrBorder,
    bool FromSuspectedTrafficker,
    bool TerrorismRelated,
    bool FromForeignResident);
