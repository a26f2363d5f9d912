using System.Runtime.InteropServices;
using Acquisition.Core.Hardware;
using OpenCvSharp;
using PixelFormat = Acquisition.Core.Hardware.PixelFormat;

namespace Acquisition.Hardware.Camera;

/// <summary>
/// Frames from OpenCV's VideoCapture: a UVC/V4L2 monochrome camera (raw frames, CONVERT_RGB off) or, through the
/// same code, a video file or image sequence. A recording behaves like a free-running camera that started when it
/// was opened: frame k is stamped opened-at + k × interval.
/// </summary>
public sealed class OpenCvFrameSource : IFrameSource
{
    private readonly OpenCvFrameSourceOptions _options;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private VideoCapture? _capture;
    private Task? _read;
    private DateTimeOffset _openedAt;
    private long _sequence;
    private CameraSettings? _accepted;

    public OpenCvFrameSource(OpenCvFrameSourceOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid camera options:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
        _options = options;
        _clock = clock;
    }

    public string Name => _options.Device;

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _capture is { IsDisposed: false } c && c.IsOpened();
            }
        }
    }

    public TimeSpan FrameInterval { get; private set; } = TimeSpan.FromMilliseconds(33.3);

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        VideoCapture capture;
        if (_options.IsCamera)
        {
            capture = int.TryParse(_options.Device, out var index)
                ? new VideoCapture(index, VideoCaptureAPIs.V4L2)
                : new VideoCapture(_options.Device, VideoCaptureAPIs.V4L2);
        }
        else
        {
            if (!_options.Device.Contains('%', StringComparison.Ordinal) && !File.Exists(_options.Device))
            {
                throw new HardwareFaultException($"Recording '{_options.Device}' does not exist.");
            }
            capture = new VideoCapture(_options.Device, _options.Device.Contains('%', StringComparison.Ordinal) ? VideoCaptureAPIs.IMAGES : VideoCaptureAPIs.ANY);
        }
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new HardwareFaultException(_options.IsCamera
                ? $"Cannot open camera {_options.Device} through V4L2: is it plugged in, is the station user in the video group, and is no other program using it?"
                : $"OpenCV cannot decode '{_options.Device}' (FFV1, MJPG and mp4v work here; H.264 does not).");
        }
        if (_options.IsCamera)
        {
            capture.Set(VideoCaptureProperties.BufferSize, _options.V4l2Buffers);
            capture.Set(VideoCaptureProperties.ConvertRgb, 0);
        }
        var fps = capture.Get(VideoCaptureProperties.Fps);
        FrameInterval = !_options.IsCamera && _options.FileFrameInterval is { } fixedInterval ? fixedInterval
            : fps is > 0 and < 10_000 ? TimeSpan.FromSeconds(1.0 / fps)
            : _options.FileFrameInterval ?? TimeSpan.FromMilliseconds(33.3);
        lock (_gate)
        {
            _capture = capture;
            _openedAt = _clock.GetUtcNow();
            _sequence = 0;
        }
        return Task.CompletedTask;
    }

    public Task<CameraSettings> ApplyAsync(CameraSettings requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requested);
        cancellationToken.ThrowIfCancellationRequested();
        var capture = Capture();
        CameraSettings accepted;
        if (_options.IsCamera)
        {
            var fourcc = requested.Format == PixelFormat.Mono8 ? "GREY" : requested.Format == PixelFormat.Mono12 ? "Y12 " : "Y16 ";
            capture.Set(VideoCaptureProperties.FourCC, VideoWriter.FourCC(fourcc[0], fourcc[1], fourcc[2], fourcc[3]));
            capture.Set(VideoCaptureProperties.FrameWidth, requested.Width);
            capture.Set(VideoCaptureProperties.FrameHeight, requested.Height);
            capture.Set(VideoCaptureProperties.ConvertRgb, 0);
            // V4L2: auto-exposure 1 = manual; exposure_absolute is in 100 µs units.
            capture.Set(VideoCaptureProperties.AutoExposure, 1);
            capture.Set(VideoCaptureProperties.Exposure, requested.Exposure.TotalMilliseconds * 10);
            capture.Set(VideoCaptureProperties.Gain, requested.Gain);
            var gotFourcc = FourCcText((int)capture.Get(VideoCaptureProperties.FourCC));
            var format = gotFourcc switch
            {
                "GREY" or "Y800" or "Y8  " => PixelFormat.Mono8,
                "Y12 " => PixelFormat.Mono12,
                "Y16 " => PixelFormat.Mono16,
                _ => PixelFormat.Mono8, // colour or compressed formats are converted to 8-bit grey
            };
            var exposureUnits = capture.Get(VideoCaptureProperties.Exposure);
            accepted = new CameraSettings(
                (int)capture.Get(VideoCaptureProperties.FrameWidth),
                (int)capture.Get(VideoCaptureProperties.FrameHeight),
                format,
                exposureUnits > 0 ? TimeSpan.FromMilliseconds(exposureUnits / 10) : requested.Exposure,
                capture.Get(VideoCaptureProperties.Gain));
            var fps = capture.Get(VideoCaptureProperties.Fps);
            if (fps is > 0 and < 10_000)
            {
                FrameInterval = TimeSpan.FromSeconds(1.0 / fps);
            }
        }
        else
        {
            // A recording cannot change: report what it holds (format from its first frame's depth).
            var depth16 = capture.Get(VideoCaptureProperties.Format) is var f && (int)f == MatType.CV_16UC1;
            accepted = new CameraSettings(
                (int)capture.Get(VideoCaptureProperties.FrameWidth),
                (int)capture.Get(VideoCaptureProperties.FrameHeight),
                depth16 ? PixelFormat.Mono16 : PixelFormat.Mono8,
                requested.Exposure,
                requested.Gain);
        }
        _accepted = accepted;
        return Task.FromResult(accepted);
    }

    public async Task<Frame> ReadNextAsync(CancellationToken cancellationToken)
    {
        var capture = Capture();
        using var mat = new Mat();
        var read = Task.Run(() => capture.Read(mat), CancellationToken.None);
        lock (_gate)
        {
            _read = read;
        }
        var ok = await read.WaitAsync(cancellationToken).ConfigureAwait(false);
        var grabbedAt = _clock.GetUtcNow();
        var grabbedTimestamp = _clock.GetTimestamp();
        if (!ok || mat.Empty())
        {
            if (!_options.IsCamera && _options.LoopFile)
            {
                capture.Set(VideoCaptureProperties.PosFrames, 0);
                return await ReadNextAsync(cancellationToken).ConfigureAwait(false);
            }
            throw new HardwareFaultException(_options.IsCamera
                ? $"Camera {_options.Device} delivered no frame: the device is gone or stalled."
                : $"Recording '{_options.Device}' has no more frames.");
        }
        var exposure = _accepted?.Exposure ?? TimeSpan.Zero;
        DateTimeOffset exposureStart;
        long sequence;
        lock (_gate)
        {
            sequence = _sequence++;
        }
        if (_options.IsCamera)
        {
            // V4L2 stamps buffers on CLOCK_MONOTONIC, which is what the station's clock (TimeProvider.System)
            // timestamps on Linux; without a plausible stamp assume the worst case: the frame finished a whole
            // interval before it was handed over.
            var stampMs = capture.Get(VideoCaptureProperties.PosMsec);
            var nowMs = grabbedTimestamp * 1000.0 / _clock.TimestampFrequency;
            var age = stampMs > 0 && nowMs - stampMs is >= 0 and < 10_000 ? TimeSpan.FromMilliseconds(nowMs - stampMs) : FrameInterval;
            exposureStart = grabbedAt - age - exposure;
        }
        else
        {
            exposureStart = _openedAt + FrameInterval * sequence;
        }
        return ToFrame(mat, sequence, exposureStart, exposure);
    }

    private Frame ToFrame(Mat mat, long sequence, DateTimeOffset exposureStart, TimeSpan exposure)
    {
        using var grey = new Mat();
        var source = mat;
        if (mat.Channels() == 3)
        {
            Cv2.CvtColor(mat, grey, ColorConversionCodes.BGR2GRAY);
            source = grey;
        }
        else if (mat.Channels() == 4)
        {
            Cv2.CvtColor(mat, grey, ColorConversionCodes.BGRA2GRAY);
            source = grey;
        }
        else if (mat.Channels() == 2)
        {
            // YUYV delivered raw with CONVERT_RGB off: luma is the first byte of each pair.
            Cv2.CvtColor(mat, grey, ColorConversionCodes.YUV2GRAY_YUYV);
            source = grey;
        }
        var depth = source.Depth();
        var format = depth switch
        {
            MatType.CV_8U => PixelFormat.Mono8,
            MatType.CV_16U => _accepted?.Format == PixelFormat.Mono12 ? PixelFormat.Mono12 : PixelFormat.Mono16,
            _ => throw new HardwareFaultException($"Camera {_options.Device} delivered pixels of OpenCV depth {depth}; the station handles 8- and 16-bit mono."),
        };
        var bpp = Frame.BytesPerPixelOf(format);
        var width = source.Width;
        var height = source.Height;
        var rowBytes = width * bpp;
        var data = new byte[rowBytes * height];
        if (source.IsContinuous())
        {
            Marshal.Copy(source.Data, data, 0, data.Length);
        }
        else
        {
            for (var y = 0; y < height; y++)
            {
                Marshal.Copy(source.Ptr(y), data, y * rowBytes, rowBytes);
            }
        }
        return new Frame(width, height, format, data, sequence, exposureStart, exposure);
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        VideoCapture? capture;
        Task? read;
        lock (_gate)
        {
            capture = _capture;
            read = _read;
            _capture = null;
            _read = null;
        }
        if (read is not null)
        {
            // Never release the capture under a read still running on another thread.
            try
            {
                await read.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OpenCVException or ObjectDisposedException)
            {
                // the device failed; we are closing anyway
            }
        }
        capture?.Release();
        capture?.Dispose();
    }

    public async ValueTask DisposeAsync() => await CloseAsync(CancellationToken.None).ConfigureAwait(false);

    private VideoCapture Capture()
    {
        lock (_gate)
        {
            return _capture is { IsDisposed: false } c && c.IsOpened()
                ? c
                : throw new HardwareFaultException($"Camera {_options.Device} is not open.");
        }
    }

    private static string FourCcText(int code) =>
        new([(char)(code & 0xFF), (char)((code >> 8) & 0xFF), (char)((code >> 16) & 0xFF), (char)((code >> 24) & 0xFF)]);
}
