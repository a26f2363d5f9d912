namespace Acquisition.Station.Configuration;

/// <summary>The "RingLight" section: the segmented ring light and the coaxial light.</summary>
public sealed class RingLightOptions
{
    public const string Section = "RingLight";

    public RingLightDriver Driver { get; set; } = RingLightDriver.Pca9685;

    /// <summary>I2C bus number (/dev/i2c-N) of the PCA9685.</summary>
    public int I2cBus { get; set; } = 1;

    /// <summary>7-bit I2C address of the PCA9685 (0x40 as shipped); "0x40" style hex is accepted.</summary>
    public int I2cAddress { get; set; } = 0x40;

    /// <summary>
    /// Output channel of each ring segment, segment 0 first. Empty by default because the binder appends
    /// configured list items to a default list instead of replacing it.
    /// </summary>
    public int[] SegmentChannels { get; set; } = [];

    /// <summary>Output channel of the coaxial light.</summary>
    public int CoaxialChannel { get; set; } = 8;

    /// <summary>PWM frequency; high enough that ripple cannot move a focus measure at the shortest exposure.</summary>
    public int PwmFrequencyHz { get; set; } = 1000;
}
