using Acquisition.Imaging.Stacking;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Processing;

/// <summary>Creates a stacker for one region attempt.</summary>
public interface IStackAccumulatorFactory
{
    /// <param name="calibre">The casing's calibre: where its head face ends.</param>
    /// <param name="magnification">The calibrated magnification change with z (relative to the autofocus plane).</param>
    IStackAccumulator Create(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel, MagnificationModel magnification);

    /// <summary>
    /// Why this camera cannot stack the region, or null when it can: asked before a capture moves anything, so a
    /// region that could only be registered over the rim refuses the capture instead of failing it half-way.
    /// </summary>
    string? CannotStack(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel);
}
