namespace Acquisition.Station.Configuration;

/// <summary>How the ring light's segments are driven.</summary>
public enum RingLightDriver
{
    /// <summary>A PCA9685 16-channel PWM controller on I2C (the default: boards seldom have nine native PWM channels).</summary>
    Pca9685,

    /// <summary>The board's native PWM channels.</summary>
    NativePwm,

    /// <summary>On/off-only GPIO outputs.</summary>
    Gpio,
}
