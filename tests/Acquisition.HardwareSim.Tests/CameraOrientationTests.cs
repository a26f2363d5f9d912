using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraOrientationTests
{
    [Fact]
    public async Task Headstamp_letters_appear_unmirrored_in_frames_and_ground_truth()
    {
        var model = new CasingHeadModel { HeadstampTop = "F", HeadstampBottom = "" };
        var g = model.Geometry;
        var ringMid = ((g.PrimerRadius + g.PrimerPocketGapMicrometres) + (g.HeadRadius - g.RimChamferWidthMicrometres)) / 2;
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0 };
        await using var rig = new CameraRig(SurfacePresets.Casing(model, new SceneExtent(900, 0, -ringMid)), options);
        var at = StagePosition.FromMicrometres(0, -ringMid, 15);
        rig.Bench.Place(0, -ringMid, 15);

        using var truth = rig.Camera.GroundTruth(at, rig.Bench.LightingAt(default));
        using var raised = new Mat();
        Cv2.Threshold(truth.HeightMicrometres, raised, 15, 1, ThresholdTypes.Binary);

        // The glyph as it must read: drawn upright with the same font, centred on the frame.
        using var glyph = new Mat(options.Height, options.Width, MatType.CV_8UC1, Scalar.All(0));
        var letterPx = model.HeadstampLetterHeightMicrometres / options.PixelSizeMicrometres;
        var scale = letterPx / 22.0;
        var thickness = Math.Max(1, (int)Math.Round(letterPx / 7));
        var size = Cv2.GetTextSize("F", HersheyFonts.HersheySimplex, scale, thickness, out _);
        Cv2.PutText(glyph, "F", new Point(((options.Width - 1) / 2.0) - (size.Width / 2.0), ((options.Height - 1) / 2.0) + (size.Height / 2.0)),
            HersheyFonts.HersheySimplex, scale, Scalar.All(1), thickness);
        using var upright = new Mat();
        glyph.ConvertTo(upright, MatType.CV_32FC1);
        using var mirrored = new Mat();
        Cv2.Flip(upright, mirrored, FlipMode.Y);
        using var flipped = new Mat();
        Cv2.Flip(upright, flipped, FlipMode.X);

        var iouUpright = Iou(raised, upright);
        Assert.True(iouUpright > 0.8, $"the letter does not match the upright glyph (IoU {iouUpright:0.00})");
        Assert.True(Iou(raised, mirrored) < iouUpright - 0.2, "the letter matches its mirror image as well as the glyph");
        Assert.True(Iou(raised, flipped) < iouUpright - 0.2, "the letter matches its upside-down image as well as the glyph");

        // The frame shows what the ground truth shows, on the same pixel grid.
        using var frame = await rig.ReadImageAsync();
        // Compared at the scale of the structure: the truth is noise-free and in focus everywhere, and keeps the
        // pixel-scale texture at full contrast, which the frame's diffraction blur, defocus and noise do not.
        using var frameStructure = new Mat();
        using var truthStructure = new Mat();
        Cv2.GaussianBlur(frame, frameStructure, new Size(0, 0), 1.5);
        Cv2.GaussianBlur(truth.AllInFocus, truthStructure, new Size(0, 0), 1.5);
        using var corr = new Mat();
        Cv2.MatchTemplate(frameStructure, truthStructure, corr, TemplateMatchModes.CCoeffNormed);
        Assert.True(corr.At<float>(0, 0) > 0.9, $"frame vs all-in-focus truth correlation {corr.At<float>(0, 0):0.00}");
    }

    private static double Iou(Mat a, Mat b)
    {
        using var inter = new Mat();
        using var union = new Mat();
        Cv2.Min(a, b, inter);
        Cv2.Max(a, b, union);
        return Cv2.Sum(inter).Val0 / Cv2.Sum(union).Val0;
    }
}
