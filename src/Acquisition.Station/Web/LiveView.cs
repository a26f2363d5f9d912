using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Workflow.Processing;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace Acquisition.Station.Web;

/// <summary>
/// MJPEG live view for centring the casing: frames scaled to at most Web:LiveViewMaxWidth, at most
/// Web:LiveViewMaxFramesPerSecond, with the primer-detection circle and a focus bar drawn in. While the station is
/// Capturing it sends nothing and takes no frames, so it never competes with a stack. Between captures the
/// <see cref="LiveViewLighting"/> lights the casing while frames are taken.
/// </summary>
public sealed class LiveView(IServiceProvider services, StationStateMachine state, IOptions<WebOptions> options, TimeProvider time,
    LiveViewLighting? lighting = null)
{
    public const string Boundary = "acqframe";

    private long _framesSent;

    public ICamera? Camera => services.GetService<ICamera>();

    /// <summary>Frames sent to all viewers since start (diagnostics, and how the tests see that a stack pauses the view).</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Raised after each frame is flushed to a viewer (on the streaming request's flow; keep handlers quick).</summary>
    public event EventHandler? FrameSent;

    public async Task StreamAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        var camera = Camera ?? throw new InvalidOperationException("No camera in this station profile.");
        var detector = services.GetService<IPrimerDetector>();
        var web = options.Value;
        response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
        response.Headers.CacheControl = "no-store";
        if (lighting is not null)
        {
            await lighting.EnterAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await FramesAsync(response, camera, detector, web, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (lighting is not null)
            {
                await lighting.LeaveAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task FramesAsync(HttpResponse response, ICamera camera, IPrimerDetector? detector, WebOptions web, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(1 / web.LiveViewMaxFramesPerSecond);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (state.State == StationState.Capturing)
            {
                // Wait for the stack to end rather than polling the camera.
                await state.WaitForAsync(StationState.Ready, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (lighting is not null)
            {
                await lighting.BeforeFrameAsync(cancellationToken).ConfigureAwait(false);
            }
            var frame = await camera.CaptureAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (state.State == StationState.Capturing)
            {
                continue; // a capture started while this frame was taken: the stack owns the camera now
            }
            var jpeg = Render(frame, detector, web.LiveViewMaxWidth);
            await response.WriteAsync($"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n", cancellationToken).ConfigureAwait(false);
            await response.Body.WriteAsync(jpeg, cancellationToken).ConfigureAwait(false);
            await response.WriteAsync("\r\n", cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _framesSent);
            FrameSent?.Invoke(this, EventArgs.Empty);
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One JPEG: 8-bit, downscaled, overlay and focus bar (variance of the Laplacian, log-scaled).</summary>
    public static byte[] Render(Frame frame, IPrimerDetector? detector, int maxWidth)
    {
        var type = frame.BytesPerPixel == 1 ? MatType.CV_8UC1 : MatType.CV_16UC1;
        using var raw = Mat.FromPixelData(frame.Height, frame.Width, type, frame.Data);
        using var grey = new Mat();
        if (frame.BytesPerPixel == 1)
        {
            raw.CopyTo(grey);
        }
        else
        {
            raw.ConvertTo(grey, MatType.CV_8UC1, 255.0 / ((1 << frame.BitDepth) - 1));
        }
        var scale = Math.Min(1.0, (double)maxWidth / frame.Width);
        using var small = new Mat();
        Cv2.Resize(grey, small, new Size(Math.Max(1, (int)(frame.Width * scale)), Math.Max(1, (int)(frame.Height * scale))), 0, 0, InterpolationFlags.Area);
        using var lap = new Mat();
        Cv2.Laplacian(small, lap, MatType.CV_64F);
        Cv2.MeanStdDev(lap, out _, out var sd);
        var focus = Math.Clamp(Math.Log10(1 + sd.Val0 * sd.Val0) / 4.0, 0, 1);
        using var colour = new Mat();
        Cv2.CvtColor(small, colour, ColorConversionCodes.GRAY2BGR);
        var detection = detector?.Detect(frame, 4, frame.Width * 0.05, frame.Width * 0.45);
        if (detection is not null)
        {
            var c = new Point(detection.CentreXPixels * scale, detection.CentreYPixels * scale);
            Cv2.Circle(colour, c, (int)(detection.RadiusPixels * scale), new Scalar(0, 220, 0), 2);
            Cv2.DrawMarker(colour, c, new Scalar(0, 220, 0), MarkerTypes.Cross, 20, 2);
        }
        // Where the primer should be: the image centre.
        Cv2.DrawMarker(colour, new Point(colour.Width / 2, colour.Height / 2), new Scalar(0, 200, 255), MarkerTypes.Cross, 30, 1);
        var barHeight = (int)(colour.Height * focus);
        Cv2.Rectangle(colour, new Rect(colour.Width - 16, colour.Height - barHeight, 12, barHeight), new Scalar(0, 200, 255), -1);
        Cv2.ImEncode(".jpg", colour, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
        return jpeg;
    }
}
