namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>A file a procedure produces beside its record (e.g. a flat-field gain map); the name is content-addressed.</summary>
public sealed record CalibrationFile(string Name, byte[] Content);
