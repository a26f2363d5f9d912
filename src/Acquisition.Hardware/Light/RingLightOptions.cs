namespace Acquisition.Hardware.Light;

/// <summary>How the ring segments and the coaxial light map onto the channel bank, with per-channel calibration.</summary>
public sealed class RingLightOptions
{
    public int SegmentCount { get; set; } = 8;

    /// <summary>Bank channel of each segment, in ring order (segment 0 first). Default: channels 0..N-1.</summary>
    public int[]? SegmentChannels { get; set; }

    public int CoaxialChannel { get; set; } = 8;

    /// <summary>Per segment; missing entries use the identity.</summary>
    public IntensityCalibration[]? SegmentCalibration { get; set; }

    public IntensityCalibration? CoaxialCalibration { get; set; }

    public int[] EffectiveSegmentChannels() => SegmentChannels ?? Enumerable.Range(0, SegmentCount).ToArray();

    public IReadOnlyList<string> Validate(int bankChannels)
    {
        var errors = new List<string>();
        if (SegmentCount is < 1 or > 32)
        {
            errors.Add($"Light:SegmentCount={SegmentCount}; the ring has 1–32 segments (8 by default).");
        }
        var channels = EffectiveSegmentChannels();
        if (channels.Length != SegmentCount)
        {
            errors.Add($"Light:SegmentChannels lists {channels.Length} channels for {SegmentCount} segments.");
        }
        var all = channels.Append(CoaxialChannel).ToArray();
        foreach (var c in all.Where(c => c < 0 || c >= bankChannels))
        {
            errors.Add($"Light channel {c} does not exist; the driver has channels 0–{bankChannels - 1}.");
        }
        foreach (var dup in all.GroupBy(c => c).Where(g => g.Count() > 1))
        {
            errors.Add($"Light channel {dup.Key} is used {dup.Count()} times; each segment and the coaxial light need their own.");
        }
        if (SegmentCalibration is { } cal && cal.Length > SegmentCount)
        {
            errors.Add($"Light:SegmentCalibration has {cal.Length} tables for {SegmentCount} segments.");
        }
        return errors;
    }
}
