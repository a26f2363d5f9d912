using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraDefocusCentreTests
{
    // Focus offsets whose blur lands on every pyramid factor the renderer uses (σ ≈ 0.063 px per µm at NA 0.3,
    // 2.5 µm pixels): full resolution, then 2×, 4×, 8×, 16× and 32× reduced levels.
    [Theory]
    [InlineData(25)]
    [InlineData(60)]
    [InlineData(110)]
    [InlineData(200)]
    [InlineData(360)]
    [InlineData(700)]
    public void A_defocused_dot_stays_centred_where_the_sharp_dot_is(double defocusMicrometres)
    {
        // A flat, dark surface with one bright Gaussian dot off the frame centre: blur must spread it, not move it.
        // The dot is wide (6 px) so that even at σ ≈ 44 px of blur its peak stays tens of DN above quantisation.
        // Noise, jitter and magnification change are off so the centroid measures the renderer's geometry alone.
        var options = SimulatedCameraOptions.Small with
        {
            JitterRmsPixels = 0,
            MagnificationChangePerMicrometre = 0,
            ReadNoiseFraction = 0,
            FullWellElectrons = 0,
        };
        using var scene = DotScene(dotXMicrometres: -151.3, dotYMicrometres: 83.7, dotSigmaMicrometres: 15);
        using var renderer = new FrameRenderer(scene, options);
        var light = new LightingState(System.Collections.Immutable.ImmutableArray.Create(new double[8]), 1);

        (double U, double V, double Peak) Centroid(double z)
        {
            var position = StagePosition.FromMicrometres(0, 0, z);
            var data = renderer.Render(_ => new ExposureSample(position, light), 2 * options.Exposure, 1, PixelFormat.Mono12, 1).Data;
            double sum = 0, su = 0, sv = 0, peak = 0;
            for (var v = 0; v < options.Height; v++)
            {
                for (var u = 0; u < options.Width; u++)
                {
                    double dn = BitConverter.ToUInt16(data, 2 * ((v * options.Width) + u));
                    sum += dn;
                    su += dn * u;
                    sv += dn * v;
                    peak = Math.Max(peak, dn);
                }
            }
            return (su / sum, sv / sum, peak);
        }

        var sharp = Centroid(0);
        Assert.InRange(sharp.Peak, 500, 4000);
        var blurred = Centroid(defocusMicrometres);
        // The blur really happened (the dot's peak fell), so the comparison is not of two sharp renders.
        Assert.True(blurred.Peak < 0.95 * sharp.Peak, $"peak {blurred.Peak} vs sharp {sharp.Peak}: not defocused");
        Assert.True(Math.Abs(blurred.U - sharp.U) <= 0.1 && Math.Abs(blurred.V - sharp.V) <= 0.1,
            $"defocus {defocusMicrometres} µm moved the dot from ({sharp.U:F3}, {sharp.V:F3}) to ({blurred.U:F3}, {blurred.V:F3}) px");
    }

    /// <summary>Height 0 everywhere, albedo 0 but for one Gaussian dot; 1 µm raster covering the small sensor's field.</summary>
    private static SurfaceScene DotScene(double dotXMicrometres, double dotYMicrometres, double dotSigmaMicrometres)
    {
        const int width = 1500, height = 1300;
        const double originX = -750, originY = -650;
        var albedo = new float[width * height];
        for (var j = 0; j < height; j++)
        {
            for (var i = 0; i < width; i++)
            {
                var dx = originX + i - dotXMicrometres;
                var dy = originY + j - dotYMicrometres;
                albedo[(j * width) + i] = (float)(0.9 * Math.Exp(-((dx * dx) + (dy * dy)) / (2 * dotSigmaMicrometres * dotSigmaMicrometres)));
            }
        }
        var albedoMat = new Mat(height, width, MatType.CV_32FC1);
        albedoMat.SetArray(albedo);
        var heightMat = new Mat(height, width, MatType.CV_32FC1, Scalar.All(0));
        return new SurfaceScene("dot", heightMat, albedoMat, 1, originX, originY, SurfaceMaterial.DiffuseWhite, 0);
    }
}
