using Acquisition.Core.Hardware;

namespace Acquisition.Core.Control;

/// <summary>The camera and the settings it really accepted.</summary>
public sealed record CameraReport(
    bool Connected,
    string Model,
    int WidthPixels,
    int HeightPixels,
    PixelFormat PixelFormat,
    double ExposureMicroseconds,
    double Gain,
    double? SensorTemperatureCelsius = null);
