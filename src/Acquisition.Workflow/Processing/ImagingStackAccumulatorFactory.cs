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

    /// <summary>The field the registration crop should cover at least, in micrometres.</summary>
    public const double MinimumRegistrationFieldMicrometres = 2000;

    public IStackAccumulator Create(RegionRecipe region, int frameWidth, int frameHeight, PixelCalibration pixel, MagnificationModel magnification)
    {
        var downscale = RegistrationDownscaleFor(frameWidth, frameHeight, pixel);
        return new ImagingStackAccumulator(region.Lightings.Select(l => l.Name).ToList(), () =>
        {
            var o = _options();
            if (o.RegistrationDownscale == 0 && downscale is { } d)
            {
                o.RegistrationDownscale = d;
            }
            if (o.Magnification.IsIdentity)
            {
                o.Magnification = magnification;
            }
            return o;
        });
    }

    /// <summary>
    /// The stacker registers on a central crop of a fixed size in pixels. At fine pixel sizes that crop can fall
    /// entirely inside the firing-pin crater (1.5 mm across, far below the breech-face z-range), where nothing is
    /// sharp and registration fails; so pick the smallest downscale whose crop covers at least
    /// <see cref="MinimumRegistrationFieldMicrometres"/> of the casing, within the frame. Null leaves the stacker's own choice.
    /// </summary>
    public static int? RegistrationDownscaleFor(int frameWidth, int frameHeight, PixelCalibration pixel)
    {
        var cropPixels = new FocusStackerOptions().RegistrationCropPixels;
        var pixelSize = Math.Min(pixel.PixelSizeX.Value, pixel.PixelSizeY.Value);
        if (cropPixels * pixelSize >= MinimumRegistrationFieldMicrometres)
        {
            return null;
        }
        foreach (var d in new[] { 2, 4 })
        {
            if (cropPixels * d > Math.Min(frameWidth, frameHeight))
            {
                break;
            }
            if (cropPixels * d * pixelSize >= MinimumRegistrationFieldMicrometres)
            {
                return d;
            }
        }
        return Math.Min(frameWidth, frameHeight) >= cropPixels * 4 ? 4 : null;
    }
}
