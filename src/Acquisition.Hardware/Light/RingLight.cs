using Acquisition.Core.Hardware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Hardware.Light;

/// <summary>
/// The segmented ring light and the coaxial light over a channel bank (PCA9685 by default). Intensities go through
/// each channel's calibration table. <see cref="AllOffAsync"/> is the safe state and never throws for bad input.
/// </summary>
public sealed class RingLight : IRingLight, IDisposable
{
    private readonly ILightChannelBank _bank;
    private readonly RingLightOptions _options;
    private readonly int[] _segmentChannels;
    private readonly IntensityCalibration[] _calibration;
    private readonly IntensityCalibration _coaxialCalibration;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private LightingState _current;

    public RingLight(ILightChannelBank bank, RingLightOptions options, ILogger<RingLight>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate(bank.ChannelCount);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid ring-light options:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
        _bank = bank;
        _options = options;
        _log = (ILogger?)logger ?? NullLogger.Instance;
        _segmentChannels = options.EffectiveSegmentChannels();
        _calibration = Enumerable.Range(0, options.SegmentCount)
            .Select(i => options.SegmentCalibration is { } c && i < c.Length ? c[i] : IntensityCalibration.Identity)
            .ToArray();
        _coaxialCalibration = options.CoaxialCalibration ?? IntensityCalibration.Identity;
        _bank.AllOff();
        _current = LightingState.AllOff(options.SegmentCount);
    }

    public int SegmentCount => _options.SegmentCount;

    public LightingState Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public TimeSpan PwmPeriod => _bank.PwmPeriod;

    public Task SetAsync(LightingState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        if (state.Segments.Length != SegmentCount)
        {
            throw new ArgumentException($"Lighting state has {state.Segments.Length} segments; this ring has {SegmentCount}.", nameof(state));
        }
        foreach (var (value, index) in state.Segments.Select((v, i) => (v, i)).Append((state.Coaxial, -1)))
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(state), value, $"Intensity of {(index < 0 ? "the coaxial light" : $"segment {index}")} must be 0–1.");
            }
        }
        lock (_gate)
        {
            try
            {
                for (var i = 0; i < SegmentCount; i++)
                {
                    _bank.SetDuty(_segmentChannels[i], _calibration[i].DutyFor(state.Segments[i]));
                }
                _bank.SetDuty(_options.CoaxialChannel, _coaxialCalibration.DutyFor(state.Coaxial));
                _current = state;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                TryAllOff();
                throw new HardwareFaultException($"Setting the ring light to {state} failed ({ex.Message}); the light was switched off. Check the LED driver's I2C/PWM connection.", inner: ex);
            }
        }
        return Task.CompletedTask;
    }

    public Task AllOffAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _bank.AllOff();
            _current = LightingState.AllOff(SegmentCount);
        }
        return Task.CompletedTask;
    }

    private void TryAllOff()
    {
        try
        {
            _bank.AllOff();
            _current = LightingState.AllOff(SegmentCount);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _log.LogError(ex, "Could not switch the ring light off");
        }
    }

    public void Dispose()
    {
        TryAllOff();
        _bank.Dispose();
    }
}
