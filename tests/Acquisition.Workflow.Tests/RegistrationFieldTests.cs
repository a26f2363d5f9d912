using Acquisition.Core.Units;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Processing;

namespace Acquisition.Workflow.Tests;

public sealed class RegistrationFieldTests
{
    private static PixelCalibration Pixel(double micrometres) => new(new Micrometres(micrometres), new Micrometres(micrometres), 0);

    [Fact]
    public void At_fine_pixel_sizes_the_registration_crop_is_widened_past_the_firing_pin_crater()
    {
        // 2.5 µm/px: a 256-px crop is 640 µm, inside the 1.5 mm crater; a quarter-resolution crop covers 2.56 mm.
        Assert.Equal(4, ImagingStackAccumulatorFactory.RegistrationDownscaleFor(1840, 1840, Pixel(2.5)));
        Assert.Equal(4, ImagingStackAccumulatorFactory.RegistrationDownscaleFor(2448, 2048, Pixel(2.5)));
        // 5 µm/px: half resolution already covers 2.56 mm.
        Assert.Equal(2, ImagingStackAccumulatorFactory.RegistrationDownscaleFor(1224, 1024, Pixel(5)));
    }

    [Fact]
    public void Coarse_pixels_or_small_frames_keep_the_stackers_own_choice()
    {
        Assert.Null(ImagingStackAccumulatorFactory.RegistrationDownscaleFor(612, 512, Pixel(10)));
        // A frame too small for a wider crop: nothing better to choose.
        Assert.Null(ImagingStackAccumulatorFactory.RegistrationDownscaleFor(612, 512, Pixel(2.5)));
    }
}
