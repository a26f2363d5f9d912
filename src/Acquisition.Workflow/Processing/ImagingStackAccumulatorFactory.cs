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

    /// <summary>
    /// The smallest registration crop this factory narrows to, in downscaled pixels. The recipe check refuses a region
    /// whose field on the head face is smaller (<see cref="HeadFaceGeometry.MinimumFieldOnHeadFaceMicrometres"/>),
    /// so at the real camera's scale this floor is never below what the head face allows.
    /// </summary>
    public const int MinimumRegistrationCropPixels = 48;

    public IStackAccumulator Create(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel, MagnificationModel magnification) =>
        new ImagingStackAccumulator(region.Lightings.Select(l => l.Name).ToList(),
            () => OptionsFor(region, calibre, frameWidth, frameHeight, pixel, magnification));

    /// <summary>The stacker settings for one lighting of a region: the configured ones, with the registration field and the magnification this region and calibration call for.</summary>
    public FocusStackerOptions OptionsFor(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel, MagnificationModel magnification)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(calibre);
        ArgumentNullException.ThrowIfNull(pixel);
        ArgumentNullException.ThrowIfNull(magnification);
        var o = _options();
        if (o.RegistrationDownscale == 0 && RegistrationDownscaleFor(frameWidth, frameHeight, pixel) is { } d)
        {
            o.RegistrationDownscale = d;
        }
        var limit = HeadFaceGeometry.RegistrationFieldLimitFor(region, calibre);
        var ds = o.EffectiveRegistrationDownscale(frameWidth, frameHeight);
        var pixelSize = Math.Max(pixel.PixelSizeX.Value, pixel.PixelSizeY.Value);
        // Even, as the stacker uses it (its crop is centred on the frame centre).
        var fits = Math.Max(MinimumRegistrationCropPixels, (int)Math.Floor(limit / (ds * pixelSize)) / 2 * 2);
        if (fits < o.RegistrationCropPixels)
        {
            // Near the rim: keep the crop on the flat head face (docs/imaging.md, "Registration near the rim").
            o.RegistrationCropPixels = fits;
        }
        if (o.Magnification.IsIdentity)
        {
            o.Magnification = magnification;
        }
        return o;
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
