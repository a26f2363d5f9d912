using Acquisition.Imaging.Quality;
using System.Globalization;
using Acquisition.Core.Units;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Processing;

/// <summary>Measures a region's stack result inside its mask and checks it against the recipe's thresholds.</summary>
public static class RegionQualityEvaluator
{
    /// <summary>The mask: an annulus centred on the image centre, in pixels from the calibrated pixel size.</summary>
    public static bool[] Mask(int width, int height, RegionMask mask, PixelCalibration pixel)
    {
        var result = new bool[width * height];
        var cx = (width - 1) / 2.0;
        var cy = (height - 1) / 2.0;
        var outer = mask.OuterRadius.Value;
        var inner = mask.InnerRadius.Value;
        for (var y = 0; y < height; y++)
        {
            var dy = (y - cy) * pixel.PixelSizeY.Value;
            for (var x = 0; x < width; x++)
            {
                var dx = (x - cx) * pixel.PixelSizeX.Value;
                var r = Math.Sqrt((dx * dx) + (dy * dy));
                result[(y * width) + x] = r <= outer && r >= inner;
            }
        }
        return result;
    }

    public static RegionQualityMetrics Measure(RegionStackResult result, bool[] mask, Micrometres zFrom, Micrometres zTo, Micrometres zStep)
    {
        var maskCount = 0;
        var valid = new List<float>();
        var atEnd = 0;
        for (var i = 0; i < mask.Length; i++)
        {
            if (!mask[i])
            {
                continue;
            }
            maskCount++;
            var h = result.HeightMicrometres[i];
            if (float.IsFinite(h))
            {
                valid.Add(h);
                if (h <= zFrom.Value + zStep.Value || h >= zTo.Value - zStep.Value)
                {
                    atEnd++;
                }
            }
        }
        double saturation = 0;
        var meanLevel = 100.0;
        foreach (var fused in result.Fused)
        {
            long saturated = 0;
            double sum = 0;
            for (var i = 0; i < mask.Length; i++)
            {
                if (!mask[i])
                {
                    continue;
                }
                var v = fused.Pixels[i];
                sum += v;
                if (v >= QualityMetrics.SaturatedFusedLevel)
                {
                    saturated++;
                }
            }
            if (maskCount > 0)
            {
                saturation = Math.Max(saturation, 100.0 * saturated / maskCount);
                meanLevel = Math.Min(meanLevel, 100.0 * sum / maskCount / 65535.0);
            }
        }
        double depth = 0;
        if (valid.Count > 1)
        {
            valid.Sort();
            depth = valid[(int)(0.99 * (valid.Count - 1))] - valid[(int)(0.01 * (valid.Count - 1))];
        }
        return new RegionQualityMetrics(
            maskCount == 0 ? 0 : 100.0 * valid.Count / maskCount,
            saturation,
            result.RegistrationResidualPixels,
            result.NoiseEstimate,
            depth,
            meanLevel,
            valid.Count == 0 ? 0 : 100.0 * atEnd / valid.Count,
            result.HeldSlices);
    }

    /// <summary>The reasons the metrics fail the thresholds; empty when they pass.</summary>
    public static IReadOnlyList<string> Check(RegionQualityMetrics m, RegionQcThresholds qc)
    {
        var reasons = new List<string>();
        if (m.FocusCoveragePercent < qc.MinFocusCoveragePercent)
        {
            reasons.Add(F($"focus coverage {m.FocusCoveragePercent:0.#}% is below {qc.MinFocusCoveragePercent:0.#}% (too little of the region has a clear focus peak)"));
        }
        if (m.SaturationPercent > qc.MaxSaturationPercent)
        {
            reasons.Add(F($"saturation {m.SaturationPercent:0.##}% is above {qc.MaxSaturationPercent:0.##}%"));
        }
        if (m.RegistrationResidualPixels > qc.MaxRegistrationResidualPixels)
        {
            reasons.Add(F($"registration residual {m.RegistrationResidualPixels:0.###} px is above {qc.MaxRegistrationResidualPixels:0.###} px"));
        }
        if (m.DepthRangeMicrometres < qc.MinDepthRange.Value)
        {
            reasons.Add(F($"depth range {m.DepthRangeMicrometres:0.##} µm is below {qc.MinDepthRange.Value:0.##} µm (no measurable relief)"));
        }
        return reasons;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
