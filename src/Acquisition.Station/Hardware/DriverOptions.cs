using Acquisition.Hardware.Grbl;
using Acquisition.Station.Configuration;

namespace Acquisition.Station.Hardware;

/// <summary>Translates the station's validated configuration into the drivers' own option types.</summary>
public static class DriverOptions
{
    public static GrblStageOptions Stage(StageOptions stage, string portName) => new()
    {
        PortName = portName,
        BaudRate = stage.BaudRate,
        SettingsFile = stage.GrblSettingsFile,
        ZHoldsItself = stage.ZHoldsItself,
    };

    /// <summary>Ring-light mapping where the bank's channel numbers are the configured ones (PCA9685).</summary>
    public static Acquisition.Hardware.Light.RingLightOptions RingLight(RingLightOptions light) => new()
    {
        SegmentCount = light.SegmentChannels.Length,
        SegmentChannels = [.. light.SegmentChannels],
        CoaxialChannel = light.CoaxialChannel,
    };

    /// <summary>
    /// Ring-light mapping over a bank built from just the used outputs (segments in order, then the coaxial light),
    /// as for native PWM channels or GPIO pins.
    /// </summary>
    public static Acquisition.Hardware.Light.RingLightOptions RingLightOverUsedOutputs(RingLightOptions light) => new()
    {
        SegmentCount = light.SegmentChannels.Length,
        SegmentChannels = [.. Enumerable.Range(0, light.SegmentChannels.Length)],
        CoaxialChannel = light.SegmentChannels.Length,
    };

    public static int[] UsedOutputs(RingLightOptions light) => [.. light.SegmentChannels, light.CoaxialChannel];
}
