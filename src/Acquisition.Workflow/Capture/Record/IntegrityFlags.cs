namespace Acquisition.Workflow.Capture.Record;

/// <summary>What the package must admit about how it was made.</summary>
/// <param name="ClockSynchronised">The kernel reported the clock NTP-synchronised at the start.</param>
/// <param name="ClockCheckOverridden">The clock was not synchronised and the configuration allowed the capture anyway.</param>
/// <param name="CalibrationOverridden">A required calibration was missing or expired and the configuration allowed it.</param>
/// <param name="CalibrationProblems">Which calibrations, when overridden.</param>
/// <param name="CasingSensorPresent">False when the station has no casing sensor, so presence was not checked.</param>
public sealed record IntegrityFlags(
    bool ClockSynchronised,
    bool ClockCheckOverridden,
    bool CalibrationOverridden,
    string? CalibrationProblems,
    bool CasingSensorPresent);
