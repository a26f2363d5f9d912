namespace Acquisition.Hardware.Light;

/// <summary>
/// Maps a requested intensity 0–1 to the PWM duty that gives it for one LED channel (LEDs are not linear in duty,
/// and segments differ). Piecewise linear through measured (intensity, duty) points; (0,0) and (1,·) are required.
/// </summary>
public sealed class IntensityCalibration
{
    private readonly (double Intensity, double Duty)[] _points;

    public IntensityCalibration(IEnumerable<(double Intensity, double Duty)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        _points = points.OrderBy(p => p.Intensity).ToArray();
        var problems = Problems(_points);
        if (problems is not null)
        {
            throw new ArgumentException($"Bad intensity calibration: {problems}.", nameof(points));
        }
    }

    public static IntensityCalibration Identity { get; } = new([(0, 0), (1, 1)]);

    public IReadOnlyList<(double Intensity, double Duty)> Points => _points;

    public double DutyFor(double intensity)
    {
        if (!(intensity >= 0 && intensity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(intensity), intensity, "Light intensity must be 0–1.");
        }
        if (intensity == 0)
        {
            return 0;
        }
        for (var i = 1; i < _points.Length; i++)
        {
            var (i1, d1) = _points[i];
            if (intensity <= i1)
            {
                var (i0, d0) = _points[i - 1];
                return d0 + (d1 - d0) * (intensity - i0) / (i1 - i0);
            }
        }
        return _points[^1].Duty;
    }

    private static string? Problems((double Intensity, double Duty)[] points)
    {
        if (points.Length < 2)
        {
            return "it needs at least the points (0,0) and (1,duty)";
        }
        if (points[0] != (0, 0))
        {
            return $"the first point must be (0,0), got ({points[0].Intensity},{points[0].Duty}): zero intensity must be dark";
        }
        if (points[^1].Intensity != 1)
        {
            return $"the last point must have intensity 1, got {points[^1].Intensity}";
        }
        for (var i = 0; i < points.Length; i++)
        {
            if (!(points[i].Duty >= 0 && points[i].Duty <= 1))
            {
                return $"duty {points[i].Duty} at intensity {points[i].Intensity} is outside 0–1";
            }
            if (i > 0 && (points[i].Intensity <= points[i - 1].Intensity || points[i].Duty < points[i - 1].Duty))
            {
                return $"points must rise strictly in intensity and not fall in duty (at intensity {points[i].Intensity})";
            }
        }
        return null;
    }
}
