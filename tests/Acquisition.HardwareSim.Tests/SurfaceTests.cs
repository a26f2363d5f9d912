using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;
using Acquisition.Imaging.X3p;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class SurfaceTests
{
    [Theory]
    [InlineData("9mm", 4450)]
    [InlineData(".45", 5330)]
    public void Primer_size_follows_the_calibre(string calibre, double primerDiameter)
    {
        var geometry = calibre == "9mm" ? CasingGeometry.NineMmLuger : CasingGeometry.Auto45;
        var r = primerDiameter / 2;
        using var scene = SurfacePresets.Casing(new CasingHeadModel { Geometry = geometry, BreechFaceMarksRmsMicrometres = 0 }, new SceneExtent(r + 200, r, 0));

        Assert.InRange(scene.HeightAt(r - 30, 0), -120, -30);
        Assert.InRange(scene.HeightAt(r + 30, 0), -301, -299);
        Assert.InRange(scene.HeightAt(r + 120, 0), -1, 1);
    }

    [Fact]
    public void Firing_pin_crater_has_the_configured_depth_and_shape()
    {
        var model = new CasingHeadModel { FiringPin = new FiringPinImpression(FiringPinShape.Circular, 600, 300), BreechFaceMarksRmsMicrometres = 0 };
        using var scene = SurfacePresets.Casing(model, new SceneExtent(1000));

        Assert.InRange(scene.HeightAt(0, 0), -345, -335);
        Assert.InRange(scene.HeightAt(300, 0), -345, -335);
        Assert.InRange(scene.HeightAt(700, 0), -45, -35);
    }

    [Fact]
    public void Measured_breech_face_is_laid_on_the_primer_and_nan_keeps_the_model()
    {
        var path = ImageMeasures.Fadul("Fadul_1-1.x3p");
        var scan = X3pReader.Read(path).Surface;
        using var scene = SurfacePresets.ReferenceCasing(path, new SceneExtent(2000));

        var pitch = scan.IncrementXMetres * 1e6;
        var c = scan.SizeX / 2.0;
        var measured = new List<double>();
        var scene1 = new List<double>();
        var nanOnModel = 0;
        for (var iy = 20; iy < scan.SizeY - 20; iy += 7)
        {
            for (var ix = 20; ix < scan.SizeX - 20; ix += 7)
            {
                var x = (ix + 0.5 - c) * pitch;
                var y = (iy + 0.5 - c) * pitch;
                var h = scan.HeightMetresAt(ix, iy) * 1e6;
                if (double.IsNaN(h))
                {
                    if (Math.Sqrt((x * x) + (y * y)) > 1000 && Math.Sqrt((x * x) + (y * y)) < 2000 && Neighbourhood(scan, ix, iy).All(double.IsNaN))
                    {
                        // Outside the scan's valid area the procedural model stays: near the primer level.
                        Assert.InRange(scene.HeightAt(x, y), -60, -20);
                        nanOnModel++;
                    }
                    continue;
                }
                if (Neighbourhood(scan, ix, iy).Any(double.IsNaN) || Math.Sqrt((x * x) + (y * y)) > 2000)
                {
                    continue;
                }
                measured.Add(h);
                scene1.Add(scene.HeightAt(x, y));
            }
        }
        Assert.True(measured.Count > 1000, $"{measured.Count} points compared");
        Assert.True(Correlation(measured, scene1) > 0.95, $"correlation {Correlation(measured, scene1):0.000}");
        Assert.True(nanOnModel > 10);
    }

    [Fact]
    public void Polished_primer_has_almost_no_texture()
    {
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0 };
        var light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 1);
        double Texture(SurfaceScene scene)
        {
            using (scene)
            using (var renderer = new FrameRenderer(scene, options))
            using (var truth = renderer.GroundTruth(StagePosition.FromMicrometres(1400, 0, -40), light, options.Exposure, 1, PixelFormat.Mono8))
            {
                using var lap = new Mat();
                Cv2.Laplacian(truth.AllInFocus, lap, MatType.CV_32F, 1);
                Cv2.MeanStdDev(lap, out _, out var std);
                return std.Val0 / Cv2.Mean(truth.AllInFocus).Val0;
            }
        }

        var textured = Texture(SurfacePresets.DefaultCasing(new SceneExtent(900, 1400, 0)));
        var polished = Texture(SurfacePresets.PolishedPrimer(new SceneExtent(900, 1400, 0)));

        Assert.True(textured > 0.05, $"default primer texture {textured:0.000}");
        Assert.True(polished < 0.1 * textured, $"polished {polished:0.0000} vs default {textured:0.0000}");
    }

    [Fact]
    public async Task Step_height_standard_focuses_at_its_true_step()
    {
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        await using var rig = new CameraRig(SurfacePresets.StepHeight(stepMicrometres: 87, halfWidthMicrometres: 800), options);
        rig.Bench.Light(LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.25));
        const double step = 3;
        var left = new Rect(40, 100, 150, 224);
        var right = new Rect(322, 100, 150, 224);
        var (bestLeft, bestRight) = (double.MinValue, double.MinValue);
        var (zLeft, zRight) = (double.NaN, double.NaN);
        for (var z = -15.0; z <= 105; z += step)
        {
            rig.Bench.Place(0, 0, z);
            using var image = await rig.ReadImageAsync();
            var l = ImageMeasures.VarianceOfLaplacian(new Mat(image, left));
            var r = ImageMeasures.VarianceOfLaplacian(new Mat(image, right));
            if (l > bestLeft) (bestLeft, zLeft) = (l, z);
            if (r > bestRight) (bestRight, zRight) = (r, z);
        }
        Assert.True(Math.Abs(zLeft) <= step, $"lower level focused at {zLeft} µm");
        Assert.True(Math.Abs(zRight - zLeft - 87) <= step, $"upper level focused at {zRight} µm");
    }

    [Fact]
    public async Task Diffuse_white_target_is_uniform_under_the_full_ring()
    {
        await using var rig = new CameraRig(SurfacePresets.DiffuseWhite(halfWidthMicrometres: 800), SimulatedCameraOptions.Small);
        rig.Bench.Place(0, 0, 0);
        rig.Bench.Light(LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.25));
        using var image = await rig.ReadImageAsync();
        // Flat-field shading shows in block means; pixel noise and the 1 % texture average out.
        using var blocks = new Mat();
        Cv2.Resize(image, blocks, new Size(8, 8), 0, 0, InterpolationFlags.Area);
        Cv2.MeanStdDev(blocks, out var mean, out var std);
        Assert.InRange(mean.Val0, 60, 240);
        Assert.True(std.Val0 / mean.Val0 < 0.01, $"relative non-uniformity {std.Val0 / mean.Val0:0.0000}");
    }

    private static IEnumerable<double> Neighbourhood(X3pSurface s, int ix, int iy)
    {
        for (var dy = -2; dy <= 2; dy++)
        {
            for (var dx = -2; dx <= 2; dx++)
            {
                yield return s.HeightMetresAt(ix + dx, iy + dy);
            }
        }
    }

    private static double Correlation(List<double> a, List<double> b)
    {
        var ma = a.Average();
        var mb = b.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
