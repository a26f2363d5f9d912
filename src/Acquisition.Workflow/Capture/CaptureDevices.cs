using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Capture;

/// <summary>The hardware a capture drives.</summary>
public sealed record CaptureDevices(IStage Stage, IRingLight Lights, ICamera Camera, IOperatorPanel Panel);
