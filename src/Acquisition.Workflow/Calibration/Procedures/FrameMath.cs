using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>Frames as floating-point images, averages of fresh frames, and the focus measure the procedures share.</summary>
internal static class FrameMath
{
    public static double FullScale(PixelFormat format) => format switch
    {
        PixelFormat.Mono8 => 255,
        PixelFormat.Mono12 => 4095,
        _ => 65535,
    };

    public static Mat ToFloat(Frame frame)
    {
        var type = frame.BytesPerPixel == 1 ? MatType.CV_8UC1 : MatType.CV_16UC1;
        using var raw = Mat.FromPixelData(frame.Height, frame.Width, type, frame.Data);
        var result = new Mat();
        raw.ConvertTo(result, MatType.CV_32FC1);
        return result;
    }

    /// <summary>
    /// The mean of <paramref name="count"/> fresh frames (each exposed after this call started, so after the last
    /// move or light change), in digital numbers, with the fraction of pixels at full scale in any of them.
    /// </summary>
    public static async Task<AveragedImage> AverageAsync(CalibrationDevices devices, int count, CancellationToken ct)
    {
        Mat? sum = null;
        double saturated = 0;
        var fullScale = 255.0;
        for (var i = 0; i < count; i++)
        {
            var frame = await devices.Camera.CaptureAsync(devices.DeviceClock.GetUtcNow(), ct).ConfigureAwait(false);
            fullScale = FullScale(frame.Format);
            using var image = ToFloat(frame);
            using (var atFull = new Mat())
            {
                Cv2.Threshold(image, atFull, fullScale - 0.5, 1, ThresholdTypes.Binary);
                saturated = Math.Max(saturated, Cv2.Sum(atFull).Val0 / image.Total());
            }
            if (sum is null)
            {
                sum = image.Clone();
            }
            else
            {
                Cv2.Add(sum, image, sum);
            }
        }
        Cv2.Multiply(sum!, new Scalar(1.0 / count), sum!);
        return new AveragedImage(sum!, fullScale, saturated);
    }

    /// <summary>
    /// Sharpness over <paramref name="region"/>: the variance of a band-pass (difference of Gaussians, σ 1.5 and 3.5
    /// px). Band-pass rather than a Laplacian: the finest scales carry mostly pixel noise and change with the image's
    /// sub-pixel position, which would make the focus curve ragged.
    /// </summary>
    public static double Focus(Mat image, Rect region)
    {
        using var roi = new Mat(image, region);
        using var fine = new Mat();
        using var coarse = new Mat();
        Cv2.GaussianBlur(roi, fine, new Size(0, 0), 1.5);
        Cv2.GaussianBlur(roi, coarse, new Size(0, 0), 3.5);
        Cv2.Subtract(fine, coarse, fine);
        Cv2.MeanStdDev(fine, out _, out var std);
        return std.Val0 * std.Val0;
    }

    public static double Mean(Mat image, Rect region)
    {
        using var roi = new Mat(image, region);
        return Cv2.Mean(roi).Val0;
    }

    /// <summary>The central part of the frame, <paramref name="fraction"/> of each side.</summary>
    public static Rect Central(Mat image, double fraction)
    {
        var w = (int)(image.Cols * fraction);
        var h = (int)(image.Rows * fraction);
        return new Rect((image.Cols - w) / 2, (image.Rows - h) / 2, w, h);
    }
}

/// <summary>An averaged image (owned; dispose it), its full scale and the worst saturated fraction of its frames.</summary>
internal sealed record AveragedImage(Mat Image, double FullScale, double SaturatedFraction) : IDisposable
{
    public void Dispose() => Image.Dispose();
}
