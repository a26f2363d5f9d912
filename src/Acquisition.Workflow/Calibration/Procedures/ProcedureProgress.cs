namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>A step of a running procedure: fraction done 0–1 (null: unknown) and a short description.</summary>
public sealed record ProcedureProgress(double? Fraction, string Message);
