using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>Exposure statistics of a frame as fractions of full scale (so 8- and 16-bit cameras read the same).</summary>
public sealed record FrameStatistics(double MeanFraction, double StandardDeviationFraction, double SaturatedFraction)
{
    public static FrameStatistics Of(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var mat = ToMat(frame);
        var full = (1 << frame.BitDepth) - 1;
        Cv2.MeanStdDev(mat, out var mean, out var std);
        using var saturated = new Mat();
        Cv2.Compare(mat, new Scalar(full), saturated, CmpTypes.GE);
        var saturatedFraction = Cv2.CountNonZero(saturated) / (double)(frame.Width * frame.Height);
        return new FrameStatistics(mean.Val0 / full, std.Val0 / full, saturatedFraction);
    }

    /// <summary>Temporal noise from two frames of the same scene: σ(a − b)/√2, as a fraction of full scale.</summary>
    public static double TemporalNoiseFraction(Frame a, Frame b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        using var ma = ToMat(a);
        using var mb = ToMat(b);
        using var fa = new Mat();
        using var fb = new Mat();
        ma.ConvertTo(fa, MatType.CV_64FC1);
        mb.ConvertTo(fb, MatType.CV_64FC1);
        using var diff = new Mat();
        Cv2.Subtract(fa, fb, diff);
        Cv2.MeanStdDev(diff, out _, out var std);
        return std.Val0 / Math.Sqrt(2) / ((1 << a.BitDepth) - 1);
    }

    private static Mat ToMat(Frame frame) =>
        Mat.FromPixelData(frame.Height, frame.Width, frame.Format == PixelFormat.Mono8 ? MatType.CV_8UC1 : MatType.CV_16UC1, frame.Data);
}
