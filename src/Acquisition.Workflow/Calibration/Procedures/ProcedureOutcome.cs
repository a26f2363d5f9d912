using Acquisition.Core.Control;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// What a procedure measured: the record's values (keys as <see cref="SimulatorCalibrationProfile"/> seeds them and
/// the captures read them), its residuals, a display summary, warnings and any files to keep beside the record.
/// </summary>
public sealed record ProcedureOutcome(
    IReadOnlyDictionary<string, object?> Values,
    IReadOnlyDictionary<string, object?> Residuals,
    IReadOnlyList<MeasuredValue> Summary,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<CalibrationFile> Files);
