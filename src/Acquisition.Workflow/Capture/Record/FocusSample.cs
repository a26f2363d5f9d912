namespace Acquisition.Workflow.Capture.Record;

/// <summary>One point of a focus curve: stage Z and the focus score there.</summary>
public sealed record FocusSample(double ZMicrometres, double Score);
