using Acquisition.Core.Domain;

namespace Acquisition.Core.Control;

/// <summary>The new calibration record written by a procedure, plus a summary of its key values for display.</summary>
public sealed record CalibrationResult(CalibrationRecord Record, IReadOnlyList<MeasuredValue> Summary, IReadOnlyList<string>? Warnings = null);
