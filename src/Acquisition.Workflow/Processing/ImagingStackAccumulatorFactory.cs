using System.Globalization;
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
    public const double MinimumRegistrationFieldMicrometres = RegistrationField.MinimumFieldMicrometres;

    /// <summary>
    /// The smallest registration crop this factory narrows to, in downscaled pixels. The recipe check refuses a region
    /// whose field on the head face is under 48 px of 10 µm (<see cref="HeadFaceGeometry.MinimumFieldOnHeadFaceMicrometres"/>),
    /// so with registration pixels of up to 10 µm (this factory lowers the downscale to get there) the crop never has
    /// to be wider than the head face allows.
    /// </summary>
    public const int MinimumRegistrationCropPixels = 48;

    public IStackAccumulator Create(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel, MagnificationModel magnification) =>
        new ImagingStackAccumulator(region.Lightings.Select(l => l.Name).ToList(),
            () => OptionsFor(region, calibre, frameWidth, frameHeight, pixel, magnification));

    public string? CannotStack(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel)
    {
        try
        {
            _ = OptionsFor(region, calibre, frameWidth, frameHeight, pixel, MagnificationModel.Identity);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }

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
        if (limit < o.RegistrationCropPixels * ds * pixelSize)
        {
            // Near the rim: keep the crop on the flat head face (docs/imaging.md, "Registration near the rim"). Where
            // the smallest crop would not fit at this scale, register at a finer one, where the same field is more
            // pixels, rather than let the crop reach over the rim.
            var fits = EvenPixels(limit, ds * pixelSize);
            while (fits < MinimumRegistrationCropPixels && ds > 1)
            {
                ds /= 2;
                fits = EvenPixels(limit, ds * pixelSize);
            }
            if (fits < MinimumRegistrationCropPixels)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{region.Region} on '{calibre.Name}' leaves a registration field of {limit:0} µm on the flat head face: {fits} px of this camera's {pixelSize:0.##} µm, fewer than the {MinimumRegistrationCropPixels} px a registration crop needs. Move the region towards the primer centre in the recipe, or use a finer camera."));
            }
            o.RegistrationDownscale = ds;
            o.RegistrationCropPixels = fits;
        }
        if (o.Magnification.IsIdentity)
        {
            o.Magnification = magnification;
        }
        return o;
    }

    /// <summary>
    /// The registration downscale for this camera (<see cref="RegistrationField.DownscaleFor"/>, shared with
    /// <c>acq stack</c>); null leaves the stacker's own choice.
    /// </summary>
    public static int? RegistrationDownscaleFor(int frameWidth, int frameHeight, PixelCalibration pixel)
    {
        ArgumentNullException.ThrowIfNull(pixel);
        return RegistrationField.DownscaleFor(frameWidth, frameHeight, Math.Min(pixel.PixelSizeX.Value, pixel.PixelSizeY.Value),
            new FocusStackerOptions().RegistrationCropPixels);
    }

    /// <summary>The even number of registration pixels (the stacker centres an even crop) that fit in a field.</summary>
    private static int EvenPixels(double fieldMicrometres, double registrationPixelMicrometres) =>
        (int)Math.Floor(fieldMicrometres / registrationPixelMicrometres) / 2 * 2;
}
