using System.Globalization;
using Acquisition.Core.Hardware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Hardware.Camera;

/// <summary>
/// The camera as the workflow sees it, over any free-running frame source (OpenCV/V4L2, a video file, the
/// simulator). A UVC camera has no trigger, so every frame whose exposure began before the settle point is
/// discarded: each frame returned belongs to the settled stage position and light. Timeouts follow from the frame
/// interval and exposure; a vanished device is reopened and its settings re-applied.
/// </summary>
public sealed class FreshFrameCamera : ICamera, IAsyncDisposable
{
    private readonly IFrameSource _source;
    private readonly FreshFrameCameraOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CameraSettings? _requested;
    private CameraSettings _settings = new(0, 0, PixelFormat.Mono8, TimeSpan.Zero, 0);

    public FreshFrameCamera(IFrameSource source, FreshFrameCameraOptions options, TimeProvider clock, ILogger<FreshFrameCamera>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid camera options:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
        _source = source;
        _options = options;
        _clock = clock;
        _log = (ILogger?)logger ?? NullLogger.Instance;
    }

    public CameraSettings Settings => _settings;

    public TimeSpan FrameInterval => _source.FrameInterval;

    /// <summary>Frames thrown away because their exposure began before the settle point (diagnostics).</summary>
    public long StaleFramesDiscarded { get; private set; }

    public int Reconnects { get; private set; }

    public async Task<CameraSettings> ConfigureAsync(CameraSettings requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requested);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _requested = requested;
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            _settings = await _source.ApplyAsync(requested, cancellationToken).ConfigureAwait(false);
            if (_settings != requested)
            {
                _log.LogWarning("Camera {Name} accepted {Accepted} for the requested {Requested}", _source.Name, _settings, requested);
            }
            return _settings;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The longest a capture waits: until the settle point, then FramesToWait × (frame interval + exposure), plus margin.</summary>
    public TimeSpan TimeoutFor(DateTimeOffset notBefore)
    {
        var untilSettled = notBefore - _clock.GetUtcNow();
        var slot = _source.FrameInterval + _settings.Exposure;
        return (untilSettled > TimeSpan.Zero ? untilSettled : TimeSpan.Zero) + slot * _options.FramesToWait + _options.TimeoutMargin;
    }

    public async Task<Frame> CaptureAsync(DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            HardwareFaultException? last = null;
            for (var attempt = 0; attempt <= _options.ReconnectAttempts; attempt++)
            {
                if (attempt > 0)
                {
                    Reconnects++;
                    _log.LogWarning("Camera {Name}: {Problem}; reopening (attempt {Attempt} of {Attempts})", _source.Name, last!.Message, attempt, _options.ReconnectAttempts);
                    await CloseQuietlyAsync().ConfigureAwait(false);
                    await Task.Delay(_options.ReconnectDelay, _clock, cancellationToken).ConfigureAwait(false);
                }
                try
                {
                    await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
                    return await ReadFreshAsync(notBefore, cancellationToken).ConfigureAwait(false);
                }
                catch (HardwareFaultException ex)
                {
                    last = ex;
                }
            }
            await CloseQuietlyAsync().ConfigureAwait(false);
            throw new HardwareFaultException(
                $"Camera {_source.Name} gave no fresh frame after {_options.ReconnectAttempts} reopen attempt(s): {last!.Message} Check the camera's USB cable and that no other program uses it.",
                inner: last);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Frame> ReadFreshAsync(DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        var timeout = TimeoutFor(notBefore);
        using var timeoutCts = new CancellationTokenSource(timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var discarded = 0;
        Frame? lastStale = null;
        try
        {
            while (true)
            {
                var frame = await _source.ReadNextAsync(linked.Token).ConfigureAwait(false);
                if (frame.ExposureStart >= notBefore)
                {
                    return frame;
                }
                discarded++;
                StaleFramesDiscarded++;
                lastStale = frame;
            }
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var stale = lastStale is null
                ? "no frame arrived at all"
                : string.Create(CultureInfo.InvariantCulture, $"{discarded} stale frame(s) discarded, the last exposed from {lastStale.ExposureStart:HH:mm:ss.fff}");
            throw new HardwareFaultException(string.Create(CultureInfo.InvariantCulture,
                $"Camera {_source.Name} timed out: no frame exposed after the settle point {notBefore:HH:mm:ss.fff} within {timeout.TotalMilliseconds:0} ms ({_options.FramesToWait} × (frame interval {_source.FrameInterval.TotalMilliseconds:0.#} ms + exposure {_settings.Exposure.TotalMilliseconds:0.#} ms) + margin); {stale}."));
        }
    }

    private async Task EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_source.IsOpen)
        {
            return;
        }
        await _source.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_requested is not null)
        {
            _settings = await _source.ApplyAsync(_requested, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CloseQuietlyAsync()
    {
        try
        {
            await _source.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HardwareFaultException or IOException or InvalidOperationException)
        {
            _log.LogDebug(ex, "Closing camera {Name}", _source.Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseQuietlyAsync().ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
