using Acquisition.Imaging.Stacking;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Processing;

/// <summary>Stacks with the imaging library's <see cref="StreamingFocusStacker"/>: one stacker per lighting.</summary>
public sealed class ImagingStackAccumulatorFactory : IStackAccumulatorFactory
{
    private readonly Func<FocusStackerOptions> _options;

    /// <param name="options">A fresh options object per stacker (defaults when null), e.g. with the calibrated magnification.</param>
    public ImagingStackAccumulatorFactory(Func<FocusStackerOptions>? options = null)
    {
        _options = options ?? (() => new FocusStackerOptions());
        _options().Validate();
    }

    public IStackAccumulator Create(RegionRecipe region, int frameWidth, int frameHeight, PixelCalibration pixel) =>
        new ImagingStackAccumulator(region.Lightings.Select(l => l.Name).ToList(), _options);
}
