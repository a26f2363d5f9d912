using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraShadingTests
{
    [Fact]
    public async Task Light_from_segment_k_shades_slopes_that_face_segment_k_brighter()
    {
        // The bowl of the firing-pin crater has slopes facing every direction.
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        await using var rig = new CameraRig(SurfacePresets.DefaultCasing(new SceneExtent(1000)), options);
        rig.Bench.Place(0, 0, -140);
        using var truth = rig.Camera.GroundTruth(StagePosition.FromMicrometres(0, 0, -140), LightingState.AllOff(8));
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(truth.HeightMicrometres, gx, MatType.CV_32F, 1, 0, 3, 1 / (8 * options.PixelSizeMicrometres));
        Cv2.Sobel(truth.HeightMicrometres, gy, MatType.CV_32F, 0, 1, 3, 1 / (8 * options.PixelSizeMicrometres));

        for (var k = 0; k < 8; k++)
        {
            rig.Bench.Light(LightingState.Segmented(8, [k], 1.0));
            using var image = await rig.ReadImageAsync();
            // Segment k's azimuth as displayed: k·45° counter-clockwise from image +x, i.e. towards −v.
            var phi = k * Math.PI / 4;
            var du = Math.Cos(phi);
            var dv = -Math.Sin(phi);
            double facing = 0, away = 0;
            int nf = 0, na = 0;
            for (var v = 4; v < options.Height - 4; v += 2)
            {
                for (var u = 4; u < options.Width - 4; u += 2)
                {
                    var sx = gx.At<float>(v, u);
                    var sy = gy.At<float>(v, u);
                    var slope = Math.Sqrt((sx * sx) + (sy * sy));
                    if (slope is < 0.1 or > 0.6)
                    {
                        continue;
                    }
                    // A slope faces the light when its downhill direction (the normal's tilt) points at it.
                    var cos = ((-sx * du) + (-sy * dv)) / slope;
                    if (cos > 0.8)
                    {
                        facing += image.At<float>(v, u);
                        nf++;
                    }
                    else if (cos < -0.8)
                    {
                        away += image.At<float>(v, u);
                        na++;
                    }
                }
            }
            Assert.True(nf > 200 && na > 200, $"segment {k}: too few slopes ({nf} facing, {na} away)");
            Assert.True(facing / nf > 1.3 * (away / na), $"segment {k}: facing {facing / nf:0.0} DN vs away {away / na:0.0} DN");
        }
    }

    [Fact]
    public async Task Coaxial_light_shows_flat_metal_bright_and_tilted_metal_dark()
    {
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        await using var rig = new CameraRig(SurfacePresets.DefaultCasing(new SceneExtent(1000)), options);
        rig.Bench.Place(0, 0, -140);
        rig.Bench.Light(new LightingState(LightingState.AllOff(8).Segments, 0.6));
        using var truth = rig.Camera.GroundTruth(StagePosition.FromMicrometres(0, 0, -140), LightingState.AllOff(8));
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(truth.HeightMicrometres, gx, MatType.CV_32F, 1, 0, 3, 1 / (8 * options.PixelSizeMicrometres));
        Cv2.Sobel(truth.HeightMicrometres, gy, MatType.CV_32F, 0, 1, 3, 1 / (8 * options.PixelSizeMicrometres));
        using var image = await rig.ReadImageAsync();

        double flat = 0, tilted = 0;
        int nf = 0, nt = 0;
        for (var v = 4; v < options.Height - 4; v += 2)
        {
            for (var u = 4; u < options.Width - 4; u += 2)
            {
                var slope = Math.Sqrt(Math.Pow(gx.At<float>(v, u), 2) + Math.Pow(gy.At<float>(v, u), 2));
                if (slope < 0.05)
                {
                    flat += image.At<float>(v, u);
                    nf++;
                }
                else if (slope is > 0.4 and < 1)
                {
                    tilted += image.At<float>(v, u);
                    nt++;
                }
            }
        }
        Assert.True(nf > 200 && nt > 200, $"{nf} flat, {nt} tilted pixels");
        Assert.True(flat / nf > 2 * (tilted / nt), $"flat {flat / nf:0.0} DN vs tilted {tilted / nt:0.0} DN");
    }
}
