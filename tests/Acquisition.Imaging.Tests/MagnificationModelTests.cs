using Acquisition.HardwareSim.Synthetic;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

public sealed class MagnificationModelTests
{
    [Fact]
    public void Calibration_recovers_a_known_magnification_change()
    {
        using var scene = SyntheticStack.Create(384, 384, seed: 9);
        // A flat target imaged at z = 0 and z = 50 µm on optics whose magnification grows 2e-4 per µm (1 %).
        using var a = new Mat();
        using var b = new Mat();
        scene.AllInFocus.ConvertTo(a, MatType.CV_8UC1, 255);
        double m = 1 + 2e-4 * 50, c = (384 - 1) / 2.0;
        using var affine = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { m, 0, c - m * c + 0.7, 0, m, c - m * c - 0.4 });
        using var scaled = new Mat();
        Cv2.WarpAffine(scene.AllInFocus, scaled, affine, scene.AllInFocus.Size(), InterpolationFlags.Cubic, BorderTypes.Reflect101);
        scaled.ConvertTo(b, MatType.CV_8UC1, 255);

        var model = MagnificationModel.Calibrate(a, 0, b, 50);

        Assert.InRange(model.RelativeChangePerMicrometre, 1.9e-4, 2.1e-4);
        Assert.Equal(0, model.ReferenceZMicrometres);
        Assert.InRange(model.RelativeScale(50, 0), 1.0095, 1.0105);
    }

    [Fact]
    public void Calibration_refuses_equal_heights_and_mismatched_sizes()
    {
        using var a = new Mat(256, 256, MatType.CV_8UC1, Scalar.All(1));
        using var b = new Mat(256, 200, MatType.CV_8UC1, Scalar.All(1));
        Assert.Throws<ArgumentException>(() => MagnificationModel.Calibrate(a, 0, a, 0));
        Assert.Throws<ArgumentException>(() => MagnificationModel.Calibrate(a, 0, b, 10));
    }
}
