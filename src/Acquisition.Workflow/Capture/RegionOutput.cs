using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Processing;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Capture;

/// <summary>What the package writer needs to store one region: its accepted (or last) stack result.</summary>
public sealed record RegionOutput(
    RegionRecipe Recipe,
    RegionStackResult Result,
    PixelCalibration Pixel,
    bool[] Mask,
    bool Passed);
