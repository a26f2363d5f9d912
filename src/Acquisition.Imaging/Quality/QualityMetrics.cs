using System.Globalization;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Quality;

/// <summary>Computes the figures used to accept a capture or redo it.</summary>
public static class QualityMetrics
{
    /// <summary>
    /// The fused level (16-bit) from which a pixel counts as saturated: 99 % of full scale. A plateau clipped in every
    /// slice does not come out of the fusion at exactly full scale once the slices are warped by sub-pixel shifts and
    /// blended across pyramid levels: inside a clipped 20 px block of 8-bit slices jittered by ±0.5 px the fused
    /// values were 253–254 of 255 (0.44 % of the region counted at exactly full scale, against 3.2 % without jitter).
    /// A pixel within 1 % of full scale carries no trustworthy grey level anyway.
    /// </summary>
    public const ushort SaturatedFusedLevel = 64880;

    /// <summary>
    /// Evaluates <paramref name="result"/> inside <paramref name="regionMask"/> (CV_8UC1, non-zero = inside; null =
    /// the whole frame).
    /// </summary>
    public static unsafe QualityReport Evaluate(FocusStackResult result, Mat? regionMask, QualityThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(thresholds);
        var height = result.HeightMapMicrometres;
        var fused = result.FusedImage;
        if (regionMask is not null && (regionMask.Size() != height.Size() || regionMask.Type() != MatType.CV_8UC1))
        {
            throw new ArgumentException($"The region mask must be CV_8UC1 of {height.Width}×{height.Height}.", nameof(regionMask));
        }

        long inRegion = 0, saturated = 0;
        var validHeights = new List<float>();
        int rows = height.Height, cols = height.Width;
        for (int y = 0; y < rows; y++)
        {
            var ph = (float*)height.Ptr(y);
            var pf = (ushort*)fused.Ptr(y);
            var pm = regionMask is null ? null : (byte*)regionMask.Ptr(y);
            for (int x = 0; x < cols; x++)
            {
                if (pm is not null && pm[x] == 0)
                {
                    continue;
                }
                inRegion++;
                if (pf[x] >= SaturatedFusedLevel)
                {
                    saturated++;
                }
                if (!float.IsNaN(ph[x]))
                {
                    validHeights.Add(ph[x]);
                }
            }
        }
        if (inRegion == 0)
        {
            throw new ArgumentException("The region mask selects no pixel.", nameof(regionMask));
        }

        double coverage = 100.0 * validHeights.Count / inRegion;
        double saturation = 100.0 * saturated / inRegion;
        double p01 = double.NaN, p99 = double.NaN;
        if (validHeights.Count > 0)
        {
            validHeights.Sort();
            p01 = validHeights[(int)(0.01 * (validHeights.Count - 1))];
            p99 = validHeights[(int)(0.99 * (validHeights.Count - 1))];
        }
        var stats = result.Statistics;
        var reasons = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        if (coverage < thresholds.MinFocusCoveragePercent)
        {
            reasons.Add(string.Format(inv, "Focus coverage {0:0.0} % is below {1:0.0} %: the region has too little texture in focus or the z-range misses the surface; check lighting and range.", coverage, thresholds.MinFocusCoveragePercent));
        }
        if (saturation > thresholds.MaxSaturationPercent)
        {
            reasons.Add(string.Format(inv, "{0:0.00} % of the region is saturated (limit {1:0.00} %): reduce exposure or light intensity.", saturation, thresholds.MaxSaturationPercent));
        }
        if (stats.FailedRegistrations > 0)
        {
            reasons.Add(string.Format(inv, "{0} slice(s) could not be registered: check for vibration or a moved casing.", stats.FailedRegistrations));
        }
        if (stats.RegistrationResidualRmsPixels > thresholds.MaxRegistrationResidualPixels)
        {
            reasons.Add(string.Format(inv, "Registration residual {0:0.00} px exceeds {1:0.00} px.", stats.RegistrationResidualRmsPixels, thresholds.MaxRegistrationResidualPixels));
        }
        if (stats.NoiseSigmaFullScale > thresholds.MaxNoiseFullScale)
        {
            reasons.Add(string.Format(inv, "Noise σ {0:0.0000} of full scale exceeds {1:0.0000}: increase exposure or check the camera gain.", stats.NoiseSigmaFullScale, thresholds.MaxNoiseFullScale));
        }
        return new QualityReport(
            coverage,
            saturation,
            stats.RegistrationResidualRmsPixels,
            stats.FailedRegistrations,
            stats.HeldRegistrations,
            stats.NoiseSigmaFullScale,
            validHeights.Count > 0 ? p99 - p01 : double.NaN,
            p01,
            p99,
            inRegion,
            reasons.Count == 0,
            reasons);
    }
}
