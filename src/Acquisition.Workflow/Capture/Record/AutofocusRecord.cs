namespace Acquisition.Workflow.Capture.Record;

/// <summary>The autofocus result with both sweeps' focus curves.</summary>
public sealed record AutofocusRecord(double FocusZMicrometres, IReadOnlyList<FocusSample> CoarseCurve, IReadOnlyList<FocusSample> FineCurve);
