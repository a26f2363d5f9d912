namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// A procedure that cannot produce a trustworthy result (target saturated, too dark, not found, mirrored image):
/// nothing is recorded, and the message says which condition failed and what to do.
/// </summary>
public sealed class CalibrationRefusedException(string message) : Exception(message);
