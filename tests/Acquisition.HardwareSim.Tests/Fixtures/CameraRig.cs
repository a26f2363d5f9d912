using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests.Fixtures;

/// <summary>A small-profile simulated camera over a fake bench, and helpers to read frames as OpenCV images.</summary>
internal sealed class CameraRig : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public CameraRig(SurfaceScene scene, SimulatedCameraOptions? options = null)
    {
        Scene = scene;
        Options = options ?? SimulatedCameraOptions.Small;
        Camera = new SimulatedCamera(Bench, Options, scene);
    }

    public FakeBench Bench { get; } = new();
    public SurfaceScene Scene { get; }
    public SimulatedCameraOptions Options { get; }
    public SimulatedCamera Camera { get; }

    /// <summary>Starts a read, lets the clock run to the frame's delivery, and returns the frame.</summary>
    public async Task<Frame> ReadAsync()
    {
        if (!Camera.IsOpen)
        {
            await Camera.OpenAsync(CancellationToken.None);
        }
        var read = Camera.ReadNextAsync(CancellationToken.None);
        await RunClockUntil(read);
        return await read.WaitAsync(Guard);
    }

    /// <summary>Advances the clock timer by timer until <paramref name="task"/> completes (no wall-time waits).</summary>
    public async Task RunClockUntil(Task task)
    {
        var clock = Bench.ManualClock;
        while (!task.IsCompleted)
        {
            var scheduled = clock.WhenTimerScheduled();
            if (clock.AdvanceToNextTimer())
            {
                continue;
            }
            await Task.WhenAny(task, scheduled).WaitAsync(Guard);
        }
    }

    public async Task<Mat> ReadImageAsync() => ToMat(await ReadAsync());

    public static Mat ToMat(Frame frame)
    {
        var type = frame.Format == PixelFormat.Mono8 ? MatType.CV_8UC1 : MatType.CV_16UC1;
        var mat = new Mat(frame.Height, frame.Width, type);
        if (frame.Format == PixelFormat.Mono8)
        {
            mat.SetArray(frame.Data);
        }
        else
        {
            var words = new ushort[frame.Width * frame.Height];
            Buffer.BlockCopy(frame.Data, 0, words, 0, frame.Data.Length);
            mat.SetArray(words);
        }
        var f = new Mat();
        mat.ConvertTo(f, MatType.CV_32FC1);
        mat.Dispose();
        return f;
    }

    public async ValueTask DisposeAsync()
    {
        await Camera.DisposeAsync();
        Scene.Dispose();
    }
}
