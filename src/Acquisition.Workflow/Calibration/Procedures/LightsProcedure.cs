using System.Globalization;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using OpenCvSharp;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// Balances the ring segments on a diffuse target: each segment alone at two drive levels gives its response
/// (brightness per unit drive, and how linear it is); the drive factors scale every segment down to the weakest, so
/// equal commanded levels give equal brightness. A check pass with the factors applied measures what imbalance is
/// left.
/// </summary>
public sealed class LightsProcedure
{
    public const double DefaultTargetLevel = 0.5;
    public const int DefaultFramesAveraged = 4;
    public const double BalanceLimitPercent = 2.0;
    private const double TooDarkFraction = 0.02;

    private readonly CalibrationDevices _devices;

    public LightsProcedure(CalibrationDevices devices) => _devices = devices;

    public async Task<ProcedureOutcome> RunAsync(IReadOnlyDictionary<string, double> parameters, IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        var targetLevel = parameters.GetValueOrDefault("targetLevel", DefaultTargetLevel);
        var frames = Math.Max(1, (int)parameters.GetValueOrDefault("framesAveraged", DefaultFramesAveraged));
        if (targetLevel is <= 0 or > 1)
        {
            throw new CalibrationRefusedException(Invariant($"targetLevel {targetLevel} is outside 0–1 (a fraction of full scale)."));
        }
        var lights = _devices.Lights;
        var before = lights.Current;
        var n = lights.SegmentCount;
        var response = new double[n];
        var linearity = new double[n];
        var factors = new double[n];
        var balanced = new double[n];
        try
        {
            // Drive each segment so that, at a nominal response, it would reach the target brightness alone.
            var probe = await BrightnessAsync(Enumerable.Range(0, n).ToArray(), 1.0 / n, frames, ct).ConfigureAwait(false);
            var drive = Math.Clamp(targetLevel / Math.Max(probe, 1e-6), 0.05, 1);
            for (var k = 0; k < n; k++)
            {
                progress?.Report(new ProcedureProgress(0.8 * k / n, $"segment {k}"));
                var full = await BrightnessAsync([k], drive, frames, ct).ConfigureAwait(false);
                var half = await BrightnessAsync([k], drive / 2, frames, ct).ConfigureAwait(false);
                if (full < TooDarkFraction)
                {
                    throw new CalibrationRefusedException(Invariant($"Segment {k} gives {full * 100:0.##} % of full scale at drive {drive:0.###}: it does not light, or there is no diffuse target. Check its cable and the target, then retry."));
                }
                response[k] = full / drive;
                linearity[k] = half / full * 2;
            }
            var weakest = response.Min();
            for (var k = 0; k < n; k++)
            {
                factors[k] = weakest / response[k];
            }
            for (var k = 0; k < n; k++)
            {
                progress?.Report(new ProcedureProgress(0.8 + (0.2 * k / n), $"check segment {k}"));
                balanced[k] = await BrightnessAsync([k], drive * factors[k], frames, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await lights.SetAsync(before, CancellationToken.None).ConfigureAwait(false);
        }
        var mean = balanced.Average();
        var spread = (balanced.Max() - balanced.Min()) / mean * 100;
        if (spread > BalanceLimitPercent)
        {
            throw new CalibrationRefusedException(Invariant($"With the measured factors the segments still differ by {spread:0.##} % (limit {BalanceLimitPercent} %): a segment's output drifts. Let the lights warm up and retry."));
        }
        var values = new Dictionary<string, object?>
        {
            ["driveFactors"] = factors.Select(f => Math.Round(f, 5)).ToList(),
            ["responsePerUnitDrive"] = response.Select(r => Math.Round(r, 5)).ToList(),
            ["targetLevel"] = targetLevel,
        };
        var residuals = new Dictionary<string, object?>
        {
            ["balancedSpreadPercent"] = Math.Round(spread, 3),
            ["linearity"] = linearity.Select(l => Math.Round(l, 4)).ToList(),
        };
        var summary = new List<MeasuredValue>();
        for (var k = 0; k < n; k++)
        {
            summary.Add(new MeasuredValue($"segment {k} drive factor", Math.Round(factors[k], 4), ""));
        }
        summary.Add(new MeasuredValue("balanced spread", Math.Round(spread, 3), "%", null, BalanceLimitPercent, true));
        var warnings = linearity.Select((l, k) => (l, k)).Where(x => Math.Abs(x.l - 1) > 0.05)
            .Select(x => Invariant($"Segment {x.k} is not linear: half drive gives {x.l / 2 * 100:0.#} % of full drive's brightness.")).ToList();
        return new ProcedureOutcome(values, residuals, summary, warnings, []);
    }

    /// <summary>Mean brightness of the central half of the field, as a fraction of full scale.</summary>
    private async Task<double> BrightnessAsync(int[] segments, double level, int frames, CancellationToken ct)
    {
        var lights = _devices.Lights;
        await lights.SetAsync(LightingState.Segmented(lights.SegmentCount, segments, Math.Clamp(level, 0, 1)), ct).ConfigureAwait(false);
        using var image = await FrameMath.AverageAsync(_devices, frames, ct).ConfigureAwait(false);
        if (image.SaturatedFraction > 0.005)
        {
            throw new CalibrationRefusedException(Invariant($"The diffuse target is saturated with segment(s) {string.Join(",", segments)} at {level:0.###}: lower targetLevel, the exposure or the gain and retry."));
        }
        return FrameMath.Mean(image.Image, FrameMath.Central(image.Image, 0.5)) / image.FullScale;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
