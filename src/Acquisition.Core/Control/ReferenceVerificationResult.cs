namespace Acquisition.Core.Control;

/// <summary>
/// POST /verify/reference: the reference casing compared with its stored topography. The result was appended to the
/// control chart (CSV and PNG, paths on the station).
/// </summary>
public sealed record ReferenceVerificationResult(
    bool Passed,
    string RecordId,
    DateTimeOffset PerformedAt,
    IReadOnlyList<MeasuredValue> Measures,
    string ControlChartCsvPath,
    string ControlChartPngPath);
