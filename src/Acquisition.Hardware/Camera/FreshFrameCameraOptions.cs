namespace Acquisition.Hardware.Camera;

/// <summary>Freshness, timeout and reconnect policy of <see cref="FreshFrameCamera"/>.</summary>
public sealed class FreshFrameCameraOptions
{
    /// <summary>
    /// A capture waits until the settle point, then for at most this many frame slots (frame interval + exposure)
    /// for a fresh frame, plus <see cref="TimeoutMargin"/>. USB transfer and V4L2 queueing can delay frames by a few slots.
    /// </summary>
    public int FramesToWait { get; set; } = 4;

    public TimeSpan TimeoutMargin { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Reopen attempts after the device disappears or times out, before the capture fails.</summary>
    public int ReconnectAttempts { get; set; } = 3;

    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (FramesToWait is < 1 or > 100)
        {
            errors.Add($"Camera:FramesToWait={FramesToWait} must be 1–100.");
        }
        if (TimeoutMargin < TimeSpan.Zero || ReconnectDelay < TimeSpan.Zero)
        {
            errors.Add("Camera:TimeoutMargin and ReconnectDelay must not be negative.");
        }
        if (ReconnectAttempts is < 0 or > 100)
        {
            errors.Add($"Camera:ReconnectAttempts={ReconnectAttempts} must be 0–100.");
        }
        return errors;
    }
}
