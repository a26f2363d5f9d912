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

    private static readonly Acquisition.Workflow.Recipes.CalibreTable Table = Acquisition.Workflow.Recipes.RecipeLoader.LoadDirectory(TestPaths.FirmwareConfig);

    private static (Acquisition.Workflow.Recipes.RegionRecipe Region, Acquisition.Workflow.Recipes.CalibreEntry Calibre) Region(Acquisition.Core.Domain.Region region)
    {
        var calibre = Table.Resolve("9mm Luger");
        return (Table.RecipeFor(calibre).Regions.Single(r => r.Region == region), calibre);
    }

    [Fact]
    public void Near_the_rim_the_registration_crop_stays_on_the_flat_head_face()
    {
        // 9 mm: head radius 4980 µm, flat face to 4680 µm; the ejector mark 4180 µm out. The square's far corner
        // (4180 + h, h) on that circle: h = 475.8 µm.
        var (ejector, calibre) = Region(Acquisition.Core.Domain.Region.EjectorMark);
        Assert.InRange(Acquisition.Workflow.Recipes.HeadFaceGeometry.RegistrationFieldLimitFor(ejector, calibre), 951.4, 951.6);
        var factory = new ImagingStackAccumulatorFactory();
        // 10 µm/px at downscale 1, and 2.5 µm/px at the downscale 4 that the crater rule picks: 95 px either way, used as 94
        // (the stacker's crop is even).
        Assert.Equal(94, factory.OptionsFor(ejector, calibre, 612, 512, Pixel(10), Acquisition.Imaging.Stacking.MagnificationModel.Identity).RegistrationCropPixels);
        var full = factory.OptionsFor(ejector, calibre, 2448, 2048, Pixel(2.5), Acquisition.Imaging.Stacking.MagnificationModel.Identity);
        Assert.Equal((4, 94), (full.RegistrationDownscale, full.RegistrationCropPixels));
        Assert.Equal(1.25, full.MaxCrossCheckDisagreementPixels);

        // The breech face sits at the primer centre: its crop keeps the default size.
        var (breechFace, _) = Region(Acquisition.Core.Domain.Region.BreechFace);
        Assert.Equal(new Acquisition.Imaging.Stacking.FocusStackerOptions().RegistrationCropPixels,
            factory.OptionsFor(breechFace, calibre, 2448, 2048, Pixel(2.5), Acquisition.Imaging.Stacking.MagnificationModel.Identity).RegistrationCropPixels);

        // A region whose centre is already off the flat face leaves no square at all: refused by name before its stack
        // starts, not registered on a crop over the rim. (The recipe loader refuses such a region first.)
        var offFace = ejector with { OffsetX = new Micrometres(4800) };
        Assert.Equal(0, Acquisition.Workflow.Recipes.HeadFaceGeometry.RegistrationFieldLimitFor(offFace, calibre));
        var refused = Assert.Throws<InvalidOperationException>(() =>
            factory.Create(offFace, calibre, 612, 512, Pixel(10), Acquisition.Imaging.Stacking.MagnificationModel.Identity));
        Assert.Contains("EjectorMark on '9mm Luger' leaves a registration field of 0 µm on the flat head face", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Where_the_smallest_crop_would_reach_over_the_rim_registration_runs_at_a_finer_scale()
    {
        // A 3.9 µm/px camera registers at downscale 4 (the crater rule): 15.6 µm a registration pixel, so the smallest
        // crop (48 px) would be 749 µm. A region 4423 µm out on a 9 mm head has a 500 µm field on the flat face, which
        // the recipe check accepts (≥ 500 µm): at downscale 2 that field is 64 px of 7.8 µm.
        var (ejector, calibre) = Region(Acquisition.Core.Domain.Region.EjectorMark);
        var nearRim = ejector with { OffsetX = new Micrometres(4423) };
        var limit = Acquisition.Workflow.Recipes.HeadFaceGeometry.RegistrationFieldLimitFor(nearRim, calibre);
        Assert.InRange(limit, 499, 502);
        Assert.Equal(4, ImagingStackAccumulatorFactory.RegistrationDownscaleFor(2448, 2048, Pixel(3.9)));
        var options = new ImagingStackAccumulatorFactory().OptionsFor(nearRim, calibre, 2448, 2048, Pixel(3.9), Acquisition.Imaging.Stacking.MagnificationModel.Identity);
        Assert.Equal((2, 64), (options.RegistrationDownscale, options.RegistrationCropPixels));
        Assert.True(options.RegistrationCropPixels * options.RegistrationDownscale * 3.9 <= limit);
    }
}
