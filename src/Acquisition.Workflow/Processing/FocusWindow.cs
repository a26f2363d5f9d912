namespace Acquisition.Workflow.Processing;

/// <summary>The part of a frame a focus score is taken over, in pixels (left, top, width, height).</summary>
public readonly record struct FocusWindow(int X, int Y, int Width, int Height)
{
    /// <summary>A square of the given side centred on the frame, clipped to it.</summary>
    public static FocusWindow CentredSquare(int frameWidth, int frameHeight, int side)
    {
        var w = Math.Clamp(side, 8, frameWidth);
        var h = Math.Clamp(side, 8, frameHeight);
        return new FocusWindow((frameWidth - w) / 2, (frameHeight - h) / 2, w, h);
    }
}
