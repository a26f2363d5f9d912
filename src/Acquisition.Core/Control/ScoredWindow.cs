namespace Acquisition.Core.Control;

/// <summary>The part of a frame a focus score was taken over: left, top, width and height in pixels.</summary>
public sealed record ScoredWindow(int XPixels, int YPixels, int WidthPixels, int HeightPixels);
