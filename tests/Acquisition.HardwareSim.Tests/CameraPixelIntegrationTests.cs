using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.HardwareSim.Tests;

/// <summary>
/// At 10 µm/px each pixel spans 4 × 4 cells of the 2.5 µm scene raster. A camera pixel integrates the light over its
/// footprint, so a sub-pixel jitter barely changes what it sees; sampling the raster at pixel centres instead aliases
/// the fine texture into a pattern that a quarter-pixel jitter changes completely (docs/simulator-camera.md).
/// </summary>
public sealed class CameraPixelIntegrationTests(ITestOutputHelper output)
{
    [Fact]
    public void With_pixel_integration_two_jittered_frames_share_the_head_faces_texture()
    {
        var centreSampled = SimulatedCameraOptions.Small with { Width = 612, Height = 512, PixelSizeMicrometres = 10, MagnificationChangePerMicrometre = 0 };
        var integrated = centreSampled with { IntegratePixelFootprint = true };
        Assert.True(centreSampled.AliasesTexture(SurfacePresets.DefaultResolutionMicrometres));
        Assert.False(integrated.AliasesTexture(SurfacePresets.DefaultResolutionMicrometres));
        Assert.False(SimulatedCameraOptions.Default.AliasesTexture(SurfacePresets.DefaultResolutionMicrometres));

        var aliased = Correlation(centreSampled);
        var shared = Correlation(integrated);
        output.WriteLine($"NCC of the head face between two frames at the same position, different jitter: centre sampling {aliased:0.000}, pixel integration {shared:0.000}");
        // Measured 2026-11-24: 0.271 and 0.749.
        Assert.True(aliased < 0.4, $"centre sampling was expected to alias the texture: NCC {aliased:0.000}");
        Assert.True(shared > 0.6, $"integrated pixels should see the same texture whatever the jitter: NCC {shared:0.000}");
    }

    /// <summary>
    /// NCC of a central 128 px crop of two in-focus frames of the flat head face (the ejector-mark field of a 9 mm
    /// casing), cleaned of the default casing's residue, whose 20 µm scale a 10 µm pixel resolves either way: only
    /// the raster-scale texture is left.
    /// </summary>
    private static double Correlation(SimulatedCameraOptions options)
    {
        using var scene = SurfacePresets.Casing(new CasingHeadModel { HeadFaceStainContrast = 0 }, new SceneExtent(3600, 4180, 0));
        using var renderer = new FrameRenderer(scene, options);
        var position = StagePosition.FromMicrometres(4180, 0, 0);
        var light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.35);
        var crop = new Rect((options.Width - 128) / 2, (options.Height - 128) / 2, 128, 128);
        using var a = Frame(renderer, position, light, options, 1, crop);
        using var b = Frame(renderer, position, light, options, 2, crop);
        using var score = new Mat();
        Cv2.MatchTemplate(a, b, score, TemplateMatchModes.CCoeffNormed);
        return score.At<float>(0, 0);
    }

    private static Mat Frame(FrameRenderer renderer, StagePosition position, LightingState light, SimulatedCameraOptions options, long sequence, Rect crop)
    {
        var (data, _) = renderer.Render(_ => new ExposureSample(position, light), options.Exposure, options.Gain, options.Format, sequence);
        using var frame = Mat.FromPixelData(options.Height, options.Width, MatType.CV_8UC1, data);
        using var roi = new Mat(frame, crop);
        var result = new Mat();
        roi.ConvertTo(result, MatType.CV_32F);
        return result;
    }
}
