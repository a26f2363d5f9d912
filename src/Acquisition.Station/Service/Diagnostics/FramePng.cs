using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>A camera frame as a grey PNG at the camera's bit depth: Mono8 as 8-bit, Mono12/Mono16 as 16-bit with the sensor's values unchanged.</summary>
public static class FramePng
{
    public static byte[] Encode(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var type = frame.Format == PixelFormat.Mono8 ? MatType.CV_8UC1 : MatType.CV_16UC1;
        using var mat = Mat.FromPixelData(frame.Height, frame.Width, type, frame.Data);
        return mat.ToBytes(".png");
    }
}
