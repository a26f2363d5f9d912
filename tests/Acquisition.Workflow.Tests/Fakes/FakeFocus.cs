using Acquisition.Core.Hardware;
using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Tests.Fakes;

/// <summary>A focus score that peaks (Gaussian) at a chosen stage Z, read from the fake stage.</summary>
internal sealed class FakeFocus(FakeStage stage) : IFocusMeasure
{
    public double PeakZ { get; set; } = 100;
    public double Width { get; set; } = 30;
    public bool Flat { get; set; }

    /// <summary>Every window the sequence asked to score, with the frame's size.</summary>
    public List<(FocusWindow Window, int FrameWidth, int FrameHeight)> Windows { get; } = [];

    public double Score(Frame frame, FocusWindow window)
    {
        Windows.Add((window, frame.Width, frame.Height));
        return Score(frame);
    }

    public double Score(Frame frame)
    {
        if (Flat)
        {
            return 1.0;
        }
        var d = stage.Status.Position.Z.Value - PeakZ;
        return 1 + (100 * Math.Exp(-d * d / (2 * Width * Width)));
    }
}
