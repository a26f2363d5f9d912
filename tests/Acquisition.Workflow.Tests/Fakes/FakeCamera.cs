using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Tests.Fakes;

/// <summary>Returns blank frames at once; a hook sees each capture (to raise panel events or fail).</summary>
internal sealed class FakeCamera : ICamera
{
    public FakeCamera(int width = 64, int height = 48)
    {
        Settings = new CameraSettings(width, height, PixelFormat.Mono8, TimeSpan.FromMilliseconds(5), 1);
    }

    public CameraSettings Settings { get; private set; }
    public TimeSpan FrameInterval => TimeSpan.FromMilliseconds(28);
    public int CaptureCount { get; private set; }
    public List<TimeSpan> ConfiguredExposures { get; } = [];

    /// <summary>Called with the 1-based capture number before the frame is returned.</summary>
    public Action<int>? BeforeCapture { get; set; }

    public Task<CameraSettings> ConfigureAsync(CameraSettings requested, CancellationToken cancellationToken)
    {
        Settings = requested;
        ConfiguredExposures.Add(requested.Exposure);
        return Task.FromResult(requested);
    }

    public Task<Frame> CaptureAsync(DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BeforeCapture?.Invoke(++CaptureCount);
        cancellationToken.ThrowIfCancellationRequested();
        var frame = new Frame(Settings.Width, Settings.Height, PixelFormat.Mono8, new byte[Settings.Width * Settings.Height],
            CaptureCount, notBefore + TimeSpan.FromMilliseconds(10), Settings.Exposure);
        return Task.FromResult(frame);
    }
}
