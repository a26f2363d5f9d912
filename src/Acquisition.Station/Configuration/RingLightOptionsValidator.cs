using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed class RingLightOptionsValidator : IValidateOptions<RingLightOptions>
{
    private const string S = RingLightOptions.Section;

    public ValidateOptionsResult Validate(string? name, RingLightOptions o)
    {
        var f = new ValidationFailures();
        var maxChannel = o.Driver == RingLightDriver.Pca9685 ? 15 : 63;
        if (o.SegmentChannels.Length is < 1 or > 16)
        {
            f.Add($"{S}:SegmentChannels", $"{o.SegmentChannels.Length} channels", "a list of 1–16 output channels, one per ring segment.");
        }
        for (var i = 0; i < o.SegmentChannels.Length; i++)
        {
            if (o.SegmentChannels[i] < 0 || o.SegmentChannels[i] > maxChannel)
            {
                f.Add($"{S}:SegmentChannels:{i}", o.SegmentChannels[i], $"a channel 0–{maxChannel} for driver {o.Driver}.");
            }
        }
        if (o.CoaxialChannel < 0 || o.CoaxialChannel > maxChannel)
        {
            f.Add($"{S}:CoaxialChannel", o.CoaxialChannel, $"a channel 0–{maxChannel} for driver {o.Driver}.");
        }
        var all = o.SegmentChannels.Append(o.CoaxialChannel).ToArray();
        foreach (var dup in all.GroupBy(c => c).Where(g => g.Count() > 1))
        {
            f.Add($"{S}:SegmentChannels/{S}:CoaxialChannel", dup.Key, "each light needs its own channel; this one is used more than once.");
        }
        if (o.Driver == RingLightDriver.Pca9685)
        {
            if (o.I2cBus is < 0 or > 255)
            {
                f.Add($"{S}:I2cBus", o.I2cBus, "an I2C bus number 0–255 (/dev/i2c-N).");
            }
            if (o.I2cAddress is < 0x08 or > 0x77)
            {
                f.Add($"{S}:I2cAddress", o.I2cAddress, "a 7-bit I2C address 0x08–0x77 (the PCA9685 ships at 0x40).");
            }
            if (o.PwmFrequencyHz is < 24 or > 1526)
            {
                f.Add($"{S}:PwmFrequencyHz", o.PwmFrequencyHz, "24–1526 Hz, the PCA9685's range.");
            }
        }
        else if (o.PwmFrequencyHz is < 1 or > 1_000_000)
        {
            f.Add($"{S}:PwmFrequencyHz", o.PwmFrequencyHz, "1–1000000 Hz.");
        }
        return f.ToResult();
    }
}
