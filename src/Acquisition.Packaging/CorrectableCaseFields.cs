namespace Acquisition.Packaging;

/// <summary>
/// The capture.json case fields a correction supplement may change: the labels that tie the measurement to a case.
/// The calibre is not among them (it chose the recipe and the primer diameter check: a wrong calibre means a new
/// capture), nor the operator id (the chain-of-custody record of who captured), nor the search-protocol flags (they
/// route the original upload, which a supplement cannot re-route). Measurement data is never correctable.
/// </summary>
public static class CorrectableCaseFields
{
    public const string Agency = "agency";
    public const string CaseNumber = "caseNumber";
    public const string Exhibit = "exhibit";
    public const string Item = "item";
    public const string RecoveryDate = "recoveryDate";
    public const string RecoveryLocation = "recoveryLocation";

    /// <summary>In the order capture.json lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Agency, CaseNumber, Exhibit, Item, RecoveryDate, RecoveryLocation];

    public static bool IsCorrectable(string? field) => field is not null && All.Contains(field, StringComparer.Ordinal);

    /// <summary>The required fields (every capture has them); the others may be cleared with a null value.</summary>
    public static bool IsRequired(string field) => field is Agency or CaseNumber or Exhibit or Item;
}
