namespace Acquisition.HardwareSim;

/// <summary>How the bench's ring light is wired: the PCA9685 on I2C (default) or native PWM channels.</summary>
public enum LightDriver
{
    Pca9685,
    NativePwm,
}
