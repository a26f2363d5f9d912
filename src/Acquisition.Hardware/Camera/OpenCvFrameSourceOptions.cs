namespace Acquisition.Hardware.Camera;

/// <summary>What <see cref="OpenCvFrameSource"/> opens: a V4L2 camera (by /dev path or index) or a recording.</summary>
public sealed class OpenCvFrameSourceOptions
{
    /// <summary>"/dev/camera", "/dev/video0" or "0" for a camera; a video file, or an image sequence like "frames/img_%04d.png".</summary>
    public string Device { get; set; } = "/dev/camera";

    /// <summary>For recordings without a frame rate, and to override it: the free-running interval to simulate.</summary>
    public TimeSpan? FileFrameInterval { get; set; }

    /// <summary>Start a recording over when it ends, instead of failing like a vanished camera.</summary>
    public bool LoopFile { get; set; }

    /// <summary>Number of V4L2 buffers; 1 keeps queued stale frames to a minimum.</summary>
    public int V4l2Buffers { get; set; } = 1;

    public bool IsCamera => Device.StartsWith("/dev/", StringComparison.Ordinal) || int.TryParse(Device, out _);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Device))
        {
            errors.Add("Camera:Device is empty; give /dev/camera, a V4L2 index, a video file or an image-sequence pattern.");
        }
        if (FileFrameInterval is { } interval && interval <= TimeSpan.Zero)
        {
            errors.Add($"Camera:FileFrameInterval={interval} must be positive.");
        }
        if (V4l2Buffers is < 1 or > 32)
        {
            errors.Add($"Camera:V4l2Buffers={V4l2Buffers} must be 1–32.");
        }
        return errors;
    }
}
