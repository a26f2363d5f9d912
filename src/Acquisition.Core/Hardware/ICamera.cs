namespace Acquisition.Core.Hardware;

/// <summary>The microscope camera.</summary>
public interface ICamera
{
    /// <summary>What the device really runs with (it may differ from what was asked).</summary>
    CameraSettings Settings { get; }

    /// <summary>Time from one frame start to the next while free-running.</summary>
    TimeSpan FrameInterval { get; }

    Task<CameraSettings> ConfigureAsync(CameraSettings requested, CancellationToken cancellationToken);

    /// <summary>
    /// Returns the first frame whose exposure started at or after <paramref name="notBefore"/>, discarding older ones,
    /// so that the frame belongs to the current (settled) stage position and light state.
    /// </summary>
    Task<Frame> CaptureAsync(DateTimeOffset notBefore, CancellationToken cancellationToken);
}
