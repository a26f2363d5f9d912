using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Capture;

/// <summary>The image-processing pieces a capture uses.</summary>
public sealed record CaptureProcessing(IStackAccumulatorFactory Stacker, IFocusMeasure Focus, IPrimerDetector PrimerDetector);
