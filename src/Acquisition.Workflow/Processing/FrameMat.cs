using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Workflow.Processing;

/// <summary>Wraps a frame's bytes as an OpenCV matrix (copying, so the frame may be reused).</summary>
internal static class FrameMat
{
    public static Mat ToMat(Frame frame)
    {
        var type = frame.Format == PixelFormat.Mono8 ? MatType.CV_8UC1 : MatType.CV_16UC1;
        var mat = new Mat(frame.Height, frame.Width, type);
        System.Runtime.InteropServices.Marshal.Copy(frame.Data, 0, mat.Data, frame.Data.Length);
        return mat;
    }

    /// <summary>8-bit version of the frame, scaled by its bit depth.</summary>
    public static Mat ToMat8(Frame frame)
    {
        using var raw = ToMat(frame);
        if (frame.Format == PixelFormat.Mono8)
        {
            return raw.Clone();
        }
        var result = new Mat();
        raw.ConvertTo(result, MatType.CV_8UC1, 255.0 / ((1 << frame.BitDepth) - 1));
        return result;
    }
}
