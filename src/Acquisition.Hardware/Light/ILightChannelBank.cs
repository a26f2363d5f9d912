namespace Acquisition.Hardware.Light;

/// <summary>
/// The outputs that drive the ring light's LED channels: a PCA9685 over I2C, native PWM channels, or on/off GPIO pins.
/// Duty is 0–1 after calibration; the bank knows nothing of segments.
/// </summary>
public interface ILightChannelBank : IDisposable
{
    int ChannelCount { get; }

    /// <summary>The PWM period, or zero when the outputs are DC (on/off pins).</summary>
    TimeSpan PwmPeriod { get; }

    void SetDuty(int channel, double duty);

    /// <summary>Every output off, in as few bus transactions as possible (the safe state).</summary>
    void AllOff();
}
