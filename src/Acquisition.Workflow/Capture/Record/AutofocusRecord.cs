using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Capture.Record;

/// <summary>The autofocus result with both sweeps' focus curves.</summary>
/// <param name="WindowPixels">The part of each frame that was scored (the centred primer), in pixels.</param>
public sealed record AutofocusRecord(double FocusZMicrometres, IReadOnlyList<FocusSample> CoarseCurve, IReadOnlyList<FocusSample> FineCurve, FocusWindow WindowPixels);
