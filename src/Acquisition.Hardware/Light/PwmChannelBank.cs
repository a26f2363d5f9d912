using System.Device.Pwm;

namespace Acquisition.Hardware.Light;

/// <summary>Ring-light channels on native PWM outputs (boards that have enough of them).</summary>
public sealed class PwmChannelBank : ILightChannelBank
{
    private readonly IReadOnlyList<PwmChannel> _channels;

    public PwmChannelBank(IReadOnlyList<PwmChannel> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0)
        {
            throw new ArgumentException("At least one PWM channel is needed.", nameof(channels));
        }
        _channels = channels;
        var frequency = channels[0].Frequency;
        if (frequency <= 0 || channels.Any(c => c.Frequency != frequency))
        {
            throw new ArgumentException("All ring-light PWM channels must run at one positive frequency, so that exposures can be whole multiples of one period.", nameof(channels));
        }
        foreach (var c in channels)
        {
            c.DutyCycle = 0;
            c.Start();
        }
    }

    public int ChannelCount => _channels.Count;

    public TimeSpan PwmPeriod => TimeSpan.FromSeconds(1.0 / _channels[0].Frequency);

    public void SetDuty(int channel, double duty)
    {
        if (!(duty >= 0 && duty <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(duty), duty, "PWM duty must be 0–1.");
        }
        _channels[channel].DutyCycle = duty;
    }

    public void AllOff()
    {
        foreach (var c in _channels)
        {
            c.DutyCycle = 0;
        }
    }

    public void Dispose()
    {
        foreach (var c in _channels)
        {
            c.Stop();
            c.Dispose();
        }
    }
}
