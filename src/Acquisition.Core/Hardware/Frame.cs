namespace Acquisition.Core.Hardware;

/// <summary>
/// One raw camera frame. Mono8 uses one byte per pixel; Mono12 and Mono16 use two (little-endian). Rows are packed
/// (stride = width × bytes per pixel).
/// </summary>
public sealed class Frame
{
    public Frame(int width, int height, PixelFormat format, byte[] data, long sequence, DateTimeOffset exposureStart, TimeSpan exposure)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(data);
        var expected = (long)width * height * BytesPerPixelOf(format);
        if (data.Length != expected)
        {
            throw new ArgumentException($"Frame data has {data.Length} bytes; {width}×{height} {format} needs {expected}.", nameof(data));
        }
        Width = width;
        Height = height;
        Format = format;
        Data = data;
        Sequence = sequence;
        ExposureStart = exposureStart;
        Exposure = exposure;
    }

    public int Width { get; }
    public int Height { get; }
    public PixelFormat Format { get; }
    public byte[] Data { get; }

    /// <summary>The camera's frame counter: gaps mean dropped frames.</summary>
    public long Sequence { get; }

    /// <summary>When the exposure began, on the station's clock (UTC). Frames older than a settle point are stale.</summary>
    public DateTimeOffset ExposureStart { get; }

    public TimeSpan Exposure { get; }

    public int BytesPerPixel => BytesPerPixelOf(Format);

    public int BitDepth => Format switch { PixelFormat.Mono8 => 8, PixelFormat.Mono12 => 12, _ => 16 };

    public static int BytesPerPixelOf(PixelFormat format) => format == PixelFormat.Mono8 ? 1 : 2;
}
