using Acquisition.Core.Hardware;
using Acquisition.Hardware.Camera;
using Microsoft.Extensions.Time.Testing;
using OpenCvSharp;
using PixelFormat = Acquisition.Core.Hardware.PixelFormat;

namespace Acquisition.Hardware.Tests.Camera;

public sealed class CameraTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("camera-tests-").FullName;

    /// <summary>Writes an FFV1 grey recording whose frame k has every pixel = k (lossless, so values survive).</summary>
    private string WriteRecording(int frames, double fps)
    {
        var path = Path.Combine(_dir, "recording.mkv");
        using var writer = new VideoWriter(path, FourCC.FromString("FFV1"), fps, new OpenCvSharp.Size(64, 48), isColor: false);
        Assert.True(writer.IsOpened(), "OpenCV could not open an FFV1 writer");
        for (var k = 0; k < frames; k++)
        {
            using var frame = new Mat(48, 64, MatType.CV_8UC1, new Scalar(k * 10));
            writer.Write(frame);
        }
        return path;
    }

    [Fact]
    public async Task A_recording_runs_through_the_real_OpenCV_path_and_stale_frames_are_discarded()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var path = WriteRecording(frames: 20, fps: 50);
        var source = new OpenCvFrameSource(new OpenCvFrameSourceOptions { Device = path }, clock);
        await using var camera = new FreshFrameCamera(source, new FreshFrameCameraOptions(), clock);
        var accepted = await camera.ConfigureAsync(new CameraSettings(640, 480, PixelFormat.Mono8, TimeSpan.FromMilliseconds(5), 1), CancellationToken.None).WaitAsync(Guard);
        Assert.Equal((64, 48, PixelFormat.Mono8), (accepted.Width, accepted.Height, accepted.Format));
        Assert.Equal(20, camera.FrameInterval.TotalMilliseconds, 3);

        // Settled 110 ms after the recording started: frames 0..5 began earlier and must be discarded.
        var settled = clock.GetUtcNow() + TimeSpan.FromMilliseconds(110);
        var frame = await camera.CaptureAsync(settled, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(6, frame.Sequence);
        Assert.True(frame.ExposureStart >= settled);
        Assert.All(frame.Data, b => Assert.Equal(60, b));
        Assert.Equal(6, camera.StaleFramesDiscarded);
    }

    [Theory]
    [InlineData("MJPG", "avi")]
    [InlineData("mp4v", "mp4")]
    public async Task Lossy_MJPG_and_mp4v_recordings_write_and_read_back_through_the_real_OpenCV_path(string fourcc, string extension)
    {
        var path = Path.Combine(_dir, "recording." + extension);
        using (var writer = new VideoWriter(path, FourCC.FromString(fourcc), 25, new OpenCvSharp.Size(64, 48), isColor: false))
        {
            Assert.True(writer.IsOpened(), $"OpenCV could not open a {fourcc} writer");
            for (var k = 0; k < 10; k++)
            {
                using var frame = new Mat(48, 64, MatType.CV_8UC1, new Scalar(40 + (k * 15)));
                writer.Write(frame);
            }
        }
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var source = new OpenCvFrameSource(new OpenCvFrameSourceOptions { Device = path }, clock);
        await using var camera = new FreshFrameCamera(source, new FreshFrameCameraOptions(), clock);
        await camera.ConfigureAsync(new CameraSettings(64, 48, PixelFormat.Mono8, TimeSpan.FromMilliseconds(5), 1), CancellationToken.None).WaitAsync(Guard);
        // Settled 90 ms after the start at 40 ms per frame: frames 0..2 are stale, frame 3 is returned.
        var frame3 = await camera.CaptureAsync(clock.GetUtcNow() + TimeSpan.FromMilliseconds(90), CancellationToken.None).WaitAsync(Guard);
        Assert.Equal((64, 48, PixelFormat.Mono8), (frame3.Width, frame3.Height, frame3.Format));
        Assert.Equal(3, frame3.Sequence);
        Assert.InRange(frame3.Data.Average(b => (double)b), 85 - 6, 85 + 6); // lossy, but the level survives
    }

    [Fact]
    public async Task An_image_sequence_of_16_bit_frames_keeps_its_bit_depth()
    {
        var clock = new FakeTimeProvider();
        for (var k = 0; k < 3; k++)
        {
            using var mat = new Mat(8, 8, MatType.CV_16UC1, new Scalar(1000 * (k + 1)));
            Cv2.ImWrite(Path.Combine(_dir, $"img_{k:D3}.png"), mat);
        }
        var source = new OpenCvFrameSource(new OpenCvFrameSourceOptions { Device = Path.Combine(_dir, "img_%03d.png"), FileFrameInterval = TimeSpan.FromMilliseconds(10) }, clock);
        await source.OpenAsync(CancellationToken.None);
        var frame = await source.ReadNextAsync(CancellationToken.None).WaitAsync(Guard);
        await source.DisposeAsync();
        Assert.Equal(PixelFormat.Mono16, frame.Format);
        Assert.Equal(1000, BitConverter.ToUInt16(frame.Data, 0));
    }

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }
}
