using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using OpenCvSharp;

namespace Acquisition.Bench;

/// <summary>
/// Prints the focus curve (9×9 squared-Laplacian energy and local contrast) of a few pixels of the default casing
/// across a z-sweep on the small sensor: a quick look at what the defocus model gives a focus measure.
/// </summary>
internal static class RenderDebug
{
    public static int Run(string[] args)
    {
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1100, 600, 0));
        using var r = new FrameRenderer(scene, options);
        var light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 1.0);
        using var truth = r.GroundTruth(StagePosition.FromMicrometres(600, 0, -100), light, TimeSpan.FromMilliseconds(10), 1, PixelFormat.Mono8);
        using (var nm = new Mat(100, 100, MatType.CV_32FC1))
        {
            new RNG(5).Fill(nm, DistributionType.Normal, new Scalar(0), new Scalar(1));
            Cv2.MeanStdDev(nm, out var mm, out var sd);
            Console.WriteLine($"rng mean {mm.Val0} std {sd.Val0}");
        }
        int[] us = [400, 450, 300, 100];
        foreach (var u in us) Console.Write($"h({u})={truth.HeightMicrometres.At<float>(212, u):0.0} ");
        Console.WriteLine();
        for (var z = -260.0; z <= 0; z += 10)
        {
            var p = StagePosition.FromMicrometres(600, 0, z);
            var (data, _) = r.Render(_ => new ExposureSample(p, light), TimeSpan.FromMilliseconds(10), 1, PixelFormat.Mono8, (long)z + 1000);
            using var m8 = new Mat(options.Height, options.Width, MatType.CV_8UC1);
            m8.SetArray(data);
            using var f = new Mat();
            m8.ConvertTo(f, MatType.CV_32F);
            using var lap = new Mat();
            Cv2.Laplacian(f, lap, MatType.CV_32F, 1);
            Cv2.Multiply(lap, lap, lap);
            Cv2.BoxFilter(lap, lap, MatType.CV_32F, new Size(9, 9));
            using var roi = new Mat(f, new Rect(380, 180, 60, 60));
            Cv2.MeanStdDev(roi, out var rm, out var rsd);
            using var roi2 = new Mat(f, new Rect(80, 190, 40, 40));
            Cv2.MeanStdDev(roi2, out var rm2, out var rsd2);
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"z={z,5}: mean={rm.Val0:0.0} sd={rsd.Val0:0.00} crater mean={rm2.Val0:0.0} sd={rsd2.Val0:0.00}"));
            foreach (var u in us) Console.Write(string.Create(CultureInfo.InvariantCulture, $"{lap.At<float>(212, u),8:0.0} "));
            Console.WriteLine();
        }
        return 0;
    }
}
