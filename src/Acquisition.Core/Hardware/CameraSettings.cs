namespace Acquisition.Core.Hardware;

/// <summary>What the station asks of the camera; the camera reports back what it really accepted.</summary>
public sealed record CameraSettings(int Width, int Height, PixelFormat Format, TimeSpan Exposure, double Gain);
