namespace Acquisition.Workflow.Calibration;

/// <summary>The calibration values the simulator is built with, seeded as records so the demo needs no calibration step.</summary>
public sealed record SimulatorCalibrationProfile(double PixelSizeMicrometres = 2.5, double RotationDegrees = 0);
