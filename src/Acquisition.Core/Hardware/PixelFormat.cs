namespace Acquisition.Core.Hardware;

/// <summary>Raw monochrome pixel formats. 12-bit data is carried in 16-bit words, little-endian, LSB-aligned.</summary>
public enum PixelFormat
{
    Mono8,
    Mono12,
    Mono16,
}
