namespace Acquisition.Workflow.Capture.Record;

/// <summary>
/// What a capture did with one calibration kind: which record it took the values from (null when there was none) and
/// what it applied, or why it applied nothing. <paramref name="PerLighting"/> names, for a flat field, the gain map
/// (file and SHA-256) each recipe lighting was corrected with, or why it was not.
/// </summary>
public sealed record AppliedCalibration(string Kind, string? RecordId, bool Applied, string Detail, IReadOnlyDictionary<string, string>? PerLighting = null);
