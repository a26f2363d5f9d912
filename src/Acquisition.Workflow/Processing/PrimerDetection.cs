namespace Acquisition.Workflow.Processing;

/// <summary>A circle found in a full-resolution frame (pixels).</summary>
public sealed record PrimerDetection(double CentreXPixels, double CentreYPixels, double RadiusPixels);
