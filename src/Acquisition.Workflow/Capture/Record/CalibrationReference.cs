namespace Acquisition.Workflow.Capture.Record;

/// <summary>A calibration record a capture used, and whether it was valid at the time.</summary>
public sealed record CalibrationReference(string Id, string Kind, int Version, DateTimeOffset PerformedAt, DateTimeOffset ExpiresAt, bool Valid);
