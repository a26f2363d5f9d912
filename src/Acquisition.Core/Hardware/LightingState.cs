using System.Collections.Immutable;
using System.Globalization;

namespace Acquisition.Core.Hardware;

/// <summary>Intensity 0–1 of each ring segment and of the coaxial light.</summary>
public sealed record LightingState(ImmutableArray<double> Segments, double Coaxial)
{
    public static LightingState AllOff(int segmentCount) => new(ImmutableArray.Create(new double[segmentCount]), 0);

    public bool IsOff => Coaxial == 0 && Segments.All(s => s == 0);

    /// <summary>Ring segments listed in <paramref name="segments"/> at <paramref name="level"/>, the rest off.</summary>
    public static LightingState Segmented(int segmentCount, IEnumerable<int> segments, double level, double coaxial = 0)
    {
        var values = new double[segmentCount];
        foreach (var s in segments)
        {
            if (s < 0 || s >= segmentCount)
            {
                throw new ArgumentOutOfRangeException(nameof(segments), s, $"Ring segment must be 0..{segmentCount - 1}.");
            }
            values[s] = level;
        }
        return new LightingState(ImmutableArray.Create(values), coaxial);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"segments=[{string.Join(",", Segments.Select(s => s.ToString("0.###", CultureInfo.InvariantCulture)))}] coaxial={Coaxial:0.###}");
}
