namespace Acquisition.Core.Hardware;

/// <summary>
/// A free-running source of raw frames: a V4L2 camera through OpenCV, a video file, or the simulator's camera.
/// Freshness, timeouts and reconnect live once, in the camera component above this, so that the simulator's tests
/// exercise the same logic the real camera uses.
/// </summary>
public interface IFrameSource : IAsyncDisposable
{
    /// <summary>A human-readable name for errors and logs, e.g. "/dev/camera" or "sim".</summary>
    string Name { get; }

    bool IsOpen { get; }

    /// <summary>Time from one frame start to the next while free-running.</summary>
    TimeSpan FrameInterval { get; }

    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Applies what it can of <paramref name="requested"/> and returns what the device really accepted.</summary>
    Task<CameraSettings> ApplyAsync(CameraSettings requested, CancellationToken cancellationToken);

    /// <summary>Waits for and returns the next frame the device delivers. Throws <see cref="HardwareFaultException"/> when the device is gone.</summary>
    Task<Frame> ReadNextAsync(CancellationToken cancellationToken);

    Task CloseAsync(CancellationToken cancellationToken);
}
