using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Processing;

/// <summary>Finds the primer cup in an overview frame.</summary>
public interface IPrimerDetector
{
    /// <summary>
    /// The circle whose radius is within [<paramref name="minRadiusPixels"/>, <paramref name="maxRadiusPixels"/>]
    /// (full-resolution pixels) nearest the image centre, or null when none is found.
    /// </summary>
    PrimerDetection? Detect(Frame overview, int downscale, double minRadiusPixels, double maxRadiusPixels);
}
