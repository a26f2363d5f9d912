using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Processing;

/// <summary>A single sharpness score of a frame, for autofocus. Larger is sharper.</summary>
public interface IFocusMeasure
{
    double Score(Frame frame);
}
