namespace Acquisition.Core.Control;

/// <summary>
/// POST /calibrations/{kind}: start a calibration procedure. <paramref name="Target"/> names the physical target
/// (e.g. "stage-micrometer", "dot-grid", "diffuse", "step-height"); <paramref name="Parameters"/> holds the
/// procedure's numeric settings by name, with units in the names (docs/control-api.md lists them per kind).
/// Privileged, audited as "calibration.recorded".
/// </summary>
public sealed record CalibrationRequest(string? Target = null, IReadOnlyDictionary<string, double>? Parameters = null);
