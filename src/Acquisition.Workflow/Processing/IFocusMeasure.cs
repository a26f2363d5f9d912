using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Processing;

/// <summary>A single sharpness score of a frame, for autofocus. Larger is sharper.</summary>
public interface IFocusMeasure
{
    /// <summary>The score over the measure's own default part of the frame.</summary>
    double Score(Frame frame);

    /// <summary>The score over <paramref name="window"/> only, e.g. the primer once it is centred.</summary>
    double Score(Frame frame, FocusWindow window);
}
