using Acquisition.Core.Hardware;

namespace Acquisition.Station.Configuration;

/// <summary>The "Camera" section: the UVC (V4L2) microscope camera.</summary>
public sealed class CameraOptions
{
    public const string Section = "Camera";

    /// <summary>Device path (the udev rules create /dev/camera) or a V4L2 index such as "0".</summary>
    public string Device { get; set; } = "/dev/camera";

    public int Width { get; set; } = 2448;

    public int Height { get; set; } = 2048;

    public PixelFormat PixelFormat { get; set; } = PixelFormat.Mono8;
}
