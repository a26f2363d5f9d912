namespace Acquisition.Workflow.Calibration;

/// <summary>
/// The calibration values the simulator is built with, seeded as records so the demo needs no calibration step. The
/// magnification change per µm of stage Z is the simulated optics' (non-telecentric) drift; 0 seeds "none measured".
/// </summary>
public sealed record SimulatorCalibrationProfile(double PixelSizeMicrometres = 2.5, double RotationDegrees = 0, double MagnificationChangePerMicrometre = 0);
