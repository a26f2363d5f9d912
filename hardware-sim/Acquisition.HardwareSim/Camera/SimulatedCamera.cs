using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Surface;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Camera;

/// <summary>
/// The bench's microscope camera. It free-runs on the bench clock: frame n is exposed over
/// [epoch + n·interval, epoch + n·interval + exposure] and delivered at the end of its exposure, showing what the
/// true stage position and the emitted light did during that time (motion blur included). A caller that reads
/// late gets the next frame still to be delivered; skipped frames show as gaps in <see cref="Frame.Sequence"/>.
/// Faults: <see cref="Disconnect"/> (reads throw <see cref="HardwareFaultException"/> naming the camera) and
/// <see cref="StopFrames"/> (frames stop arriving; reads wait until cancelled).
/// </summary>
public sealed class SimulatedCamera : IFrameSource
{
    private static readonly TimeSpan ReadoutGap = TimeSpan.FromMilliseconds(1);

    private readonly IBenchState _bench;
    private readonly SimulatedCameraOptions _options;
    private readonly FrameRenderer _renderer;
    private readonly Func<IDisposable>? _pauseClockWhileRendering;
    private readonly object _gate = new();
    private readonly object _renderGate = new();
    private readonly Dictionary<long, SimulatedFrameTruth> _truths = new();
    private readonly Queue<long> _truthOrder = new();
    private TaskCompletionSource _faultChanged = NewSignal();
    private CameraSettings _settings;
    private DateTimeOffset _epoch;
    private long _sequenceBase;
    private long _lastIndex = -1;
    private bool _open;
    private bool _disconnected;
    private bool _framesStopped;

    /// <param name="bench">The clock, the true stage position and the emitted light.</param>
    /// <param name="options">Sensor, optics, noise and timing; validated here.</param>
    /// <param name="scene">What lies under the objective. The camera does not own it.</param>
    /// <param name="pauseClockWhileRendering">
    /// Optional: in the bench's real-time mode, pauses the clock for the duration of a render, so that the
    /// simulator's own cost is not charged to the station.
    /// </param>
    public SimulatedCamera(IBenchState bench, SimulatedCameraOptions options, SurfaceScene scene, Func<IDisposable>? pauseClockWhileRendering = null)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scene);
        options.Validate();
        _bench = bench;
        _options = options;
        _renderer = new FrameRenderer(scene, options);
        _pauseClockWhileRendering = pauseClockWhileRendering;
        _settings = new CameraSettings(options.Width, options.Height, options.Format, options.Exposure, options.Gain);
    }

    public string Name => _options.Name;

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _open && !_disconnected;
            }
        }
    }

    public CameraSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    public TimeSpan FrameInterval
    {
        get
        {
            lock (_gate)
            {
                return IntervalFor(_settings.Exposure);
            }
        }
    }

    public SimulatedCameraOptions Options => _options;

    /// <summary>The renderer, for ground truth and geometry (not thread-safe on its own; use the camera's methods).</summary>
    public FrameRenderer Renderer => _renderer;

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_disconnected)
            {
                throw Gone();
            }
            if (!_open)
            {
                _open = true;
                _epoch = _bench.Clock.GetUtcNow();
                _lastIndex = -1;
            }
        }
        return Task.CompletedTask;
    }

    public Task<CameraSettings> ApplyAsync(CameraSettings requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requested);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_disconnected)
            {
                throw Gone();
            }
            // Like a real sensor: fixed size, 8 or 12 bits, exposure and gain clamped to what the device supports.
            var format = requested.Format == PixelFormat.Mono8 ? PixelFormat.Mono8 : PixelFormat.Mono12;
            var exposure = TimeSpan.FromTicks(Math.Clamp(requested.Exposure.Ticks, TimeSpan.FromMicroseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
            var gain = double.IsFinite(requested.Gain) ? Math.Clamp(requested.Gain, 1, 16) : 1;
            var accepted = new CameraSettings(_options.Width, _options.Height, format, exposure, gain);
            if (_open && accepted.Exposure != _settings.Exposure)
            {
                // A new exposure changes the frame period: re-anchor the free-running timing at the next frame start.
                var now = _bench.Clock.GetUtcNow();
                var oldInterval = IntervalFor(_settings.Exposure);
                var next = Math.Max(_lastIndex + 1, (long)Math.Ceiling((now - _epoch) / oldInterval));
                _epoch += oldInterval * next;
                _sequenceBase += next;
                _lastIndex = -1;
            }
            _settings = accepted;
            return Task.FromResult(accepted);
        }
    }

    /// <summary>
    /// The next frame as PNG (Mono8 as 8-bit, Mono12 as 16-bit with the sensor's values): what the bench's "snap" and
    /// the tool's <c>snap --out</c> deliver when this camera is wired in (<c>bench.SnapPng = camera.SnapPngAsync</c>).
    /// </summary>
    public async Task<byte[]> SnapPngAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var frame = await ReadNextAsync(cancellationToken).ConfigureAwait(false);
        var type = frame.Format == PixelFormat.Mono8 ? OpenCvSharp.MatType.CV_8UC1 : OpenCvSharp.MatType.CV_16UC1;
        using var mat = OpenCvSharp.Mat.FromPixelData(frame.Height, frame.Width, type, frame.Data);
        return mat.ToBytes(".png");
    }

    /// <summary>Optional transcript hook: ("cam-read", detail) when a read starts, ("cam-frame", detail) when a frame is delivered.</summary>
    public Action<string, string>? Trace { get; set; }

    public async Task<Frame> ReadNextAsync(CancellationToken cancellationToken)
    {
        Trace?.Invoke("cam-read", string.Empty);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task faultChanged;
            DateTimeOffset start, deliver;
            long index;
            CameraSettings settings;
            lock (_gate)
            {
                if (_disconnected)
                {
                    throw Gone();
                }
                if (!_open)
                {
                    throw new InvalidOperationException($"Camera '{Name}' is not open; call OpenAsync first.");
                }
                faultChanged = _faultChanged.Task;
                settings = _settings;
                var interval = IntervalFor(settings.Exposure);
                var now = _bench.Clock.GetUtcNow();
                var firstDeliverable = (long)Math.Ceiling((now - settings.Exposure - _epoch) / interval);
                index = Math.Max(_lastIndex + 1, firstDeliverable);
                start = _epoch + (interval * index);
                deliver = start + settings.Exposure;
                if (_framesStopped)
                {
                    deliver = DateTimeOffset.MaxValue;
                }
            }
            if (deliver == DateTimeOffset.MaxValue)
            {
                // Frames stopped: nothing arrives until the fault is cleared or the caller gives up.
                await faultChanged.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var wait = deliver - _bench.Clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                // Timers resolve whole milliseconds: round up so the frame is never delivered before its exposure ends.
                wait = TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(wait, _bench.Clock, linked.Token);
                var first = await Task.WhenAny(delay, faultChanged).ConfigureAwait(false);
                await linked.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (first != delay)
                {
                    continue;
                }
            }
            lock (_gate)
            {
                if (_disconnected)
                {
                    throw Gone();
                }
                if (_framesStopped || settings != _settings || index <= _lastIndex || _bench.Clock.GetUtcNow() < deliver)
                {
                    continue;
                }
                _lastIndex = index;
            }
            var sequence = _sequenceBase + index;
            var frame = Render(start, settings, sequence);
            Trace?.Invoke("cam-frame", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"seq={sequence} exposureStart={(start - _epoch).TotalMilliseconds:0.###}ms exposure={settings.Exposure.TotalMilliseconds:0.###}ms"));
            return frame;
        }
    }

    public Task CloseAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _open = false;
            Signal();
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _open = false;
            Signal();
        }
        lock (_renderGate)
        {
            _renderer.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Fault: the camera drops off the bus. Reads (also pending ones) throw; it must be reopened after <see cref="Reconnect"/>.</summary>
    public void Disconnect()
    {
        lock (_gate)
        {
            _disconnected = true;
            _open = false;
            Signal();
        }
    }

    /// <summary>Clears <see cref="Disconnect"/>: the device is back and can be opened again.</summary>
    public void Reconnect()
    {
        lock (_gate)
        {
            _disconnected = false;
            Signal();
        }
    }

    /// <summary>Fault: frames stop arriving (a frame timeout for the driver) while the device stays open.</summary>
    public void StopFrames()
    {
        lock (_gate)
        {
            _framesStopped = true;
            Signal();
        }
    }

    /// <summary>Clears <see cref="StopFrames"/>: free-running resumes at the next frame boundary.</summary>
    public void ResumeFrames()
    {
        lock (_gate)
        {
            _framesStopped = false;
            Signal();
        }
    }

    public bool IsDisconnected
    {
        get
        {
            lock (_gate)
            {
                return _disconnected;
            }
        }
    }

    public bool FramesStopped
    {
        get
        {
            lock (_gate)
            {
                return _framesStopped;
            }
        }
    }

    /// <summary>What the simulator knows about a recent frame (the last 512 are kept).</summary>
    public bool TryGetFrameTruth(long sequence, out SimulatedFrameTruth truth)
    {
        lock (_gate)
        {
            return _truths.TryGetValue(sequence, out truth!);
        }
    }

    /// <summary>
    /// Ground truth on the camera's pixel grid at <paramref name="position"/> (no jitter) under
    /// <paramref name="lighting"/>, with the current exposure, gain and bit depth.
    /// </summary>
    public CameraGroundTruth GroundTruth(StagePosition position, LightingState lighting, Rect? region = null)
    {
        ArgumentNullException.ThrowIfNull(lighting);
        var s = Settings;
        lock (_renderGate)
        {
            return _renderer.GroundTruth(position, lighting, s.Exposure, s.Gain, s.Format, region);
        }
    }

    /// <summary>Ground truth at the stage's true position and the emitted light now.</summary>
    public CameraGroundTruth GroundTruthNow(Rect? region = null)
    {
        var now = _bench.Clock.GetUtcNow();
        return GroundTruth(_bench.TruePositionAt(now), _bench.LightingAt(now), region);
    }

    private Frame Render(DateTimeOffset start, CameraSettings settings, long sequence)
    {
        byte[] data;
        SimulatedFrameTruth truth;
        using (_pauseClockWhileRendering?.Invoke())
        {
            lock (_renderGate)
            {
                (data, truth) = _renderer.Render(
                    f =>
                    {
                        var t = start + (settings.Exposure * f);
                        return new ExposureSample(_bench.TruePositionAt(t), _bench.LightingAt(t));
                    },
                    settings.Exposure, settings.Gain, settings.Format, sequence);
            }
        }
        lock (_gate)
        {
            _truths[sequence] = truth;
            _truthOrder.Enqueue(sequence);
            while (_truthOrder.Count > 512)
            {
                _truths.Remove(_truthOrder.Dequeue());
            }
        }
        return new Frame(_options.Width, _options.Height, settings.Format, data, sequence, start, settings.Exposure);
    }

    private TimeSpan IntervalFor(TimeSpan exposure) =>
        exposure + ReadoutGap > _options.FrameInterval ? exposure + ReadoutGap : _options.FrameInterval;

    private HardwareFaultException Gone() => new(string.Create(CultureInfo.InvariantCulture,
        $"Camera '{Name}' is disconnected (no device on the bus). Check the USB cable and power, then reopen the camera."));

    private void Signal()
    {
        var old = _faultChanged;
        _faultChanged = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
