using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Processing;

/// <summary>Creates a stacker for one region attempt.</summary>
public interface IStackAccumulatorFactory
{
    IStackAccumulator Create(RegionRecipe region, int frameWidth, int frameHeight, PixelCalibration pixel);
}
