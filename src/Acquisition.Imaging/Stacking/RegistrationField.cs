namespace Acquisition.Imaging.Stacking;

/// <summary>
/// How far registration downscales a frame, given what a pixel is on the casing. The stacker registers on a central
/// crop of a fixed size in pixels; at fine pixel sizes that crop can fall entirely inside the firing-pin crater
/// (1.5 mm across, far below the breech-face z-range), where nothing is sharp and registration fails. The station
/// and <c>acq stack</c> both choose by this rule, so a stack re-processed offline registers at the station's scale.
/// (Near the rim the station also narrows the crop to the flat head face, which <c>acq stack</c>, knowing no casing,
/// cannot.)
/// </summary>
public static class RegistrationField
{
    /// <summary>The field the registration crop should cover at least, in micrometres.</summary>
    public const double MinimumFieldMicrometres = 2000;

    /// <summary>
    /// The smallest downscale (2 or 4) whose crop of <paramref name="cropPixels"/> covers at least
    /// <see cref="MinimumFieldMicrometres"/> within the frame; null when the crop covers it at full resolution or
    /// the frame is too small for a coarser one (the stacker's own frame-size rule then applies).
    /// </summary>
    public static int? DownscaleFor(int frameWidth, int frameHeight, double pixelSizeMicrometres, int cropPixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropPixels);
        if (!(pixelSizeMicrometres > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(pixelSizeMicrometres), pixelSizeMicrometres, "The pixel size must be positive.");
        }
        if (cropPixels * pixelSizeMicrometres >= MinimumFieldMicrometres)
        {
            return null;
        }
        foreach (var d in new[] { 2, 4 })
        {
            if (cropPixels * d > Math.Min(frameWidth, frameHeight))
            {
                break;
            }
            if (cropPixels * d * pixelSizeMicrometres >= MinimumFieldMicrometres)
            {
                return d;
            }
        }
        return Math.Min(frameWidth, frameHeight) >= cropPixels * 4 ? 4 : null;
    }
}
