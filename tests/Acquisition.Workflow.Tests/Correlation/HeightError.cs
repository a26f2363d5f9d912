using Acquisition.Imaging.Comparison;
using OpenCvSharp;

namespace Acquisition.Workflow.Tests.Correlation;

/// <summary>Measured heights against the truth over a mask: the invalid share and the RMS with only the mean offset removed.</summary>
internal readonly record struct HeightError(int MaskPoints, int InvalidPoints, double RmsMicrometres, double MeanOffsetMicrometres)
{
    public double InvalidFraction => MaskPoints == 0 ? 1 : InvalidPoints / (double)MaskPoints;

    public static HeightError Of(MaskedHeightMap measured, MaskedHeightMap truth, ReadOnlySpan<bool> mask)
    {
        var m = measured.HeightsMicrometres;
        var t = truth.HeightsMicrometres;
        int points = 0, invalid = 0, valid = 0;
        double sum = 0, sumSquares = 0;
        for (var i = 0; i < m.Length; i++)
        {
            if (!mask[i])
            {
                continue;
            }
            points++;
            if (float.IsNaN(m[i]) || float.IsNaN(t[i]))
            {
                invalid++;
                continue;
            }
            double d = m[i] - t[i];
            sum += d;
            sumSquares += d * d;
            valid++;
        }
        var mean = valid == 0 ? double.NaN : sum / valid;
        var rms = valid == 0 ? double.NaN : Math.Sqrt(Math.Max(0, (sumSquares / valid) - (mean * mean)));
        return new HeightError(points, invalid, rms, mean);
    }

    /// <summary>
    /// Diagnosis only: the lateral shift of the truth (± <paramref name="maxPixels"/> in half-pixel steps) that
    /// minimises the RMS, measured on every third point. A clear optimum away from (0, 0) says the map is displaced,
    /// not wrong in height.
    /// </summary>
    public static (double Dx, double Dy, double RmsMicrometres) BestShift(MaskedHeightMap measured, MaskedHeightMap truth, ReadOnlySpan<bool> mask, double maxPixels = 2)
    {
        using var t = Mat.FromPixelData(truth.Height, truth.Width, MatType.CV_32FC1, truth.HeightsMicrometres.ToArray());
        var m = measured.HeightsMicrometres;
        var best = (Dx: 0.0, Dy: 0.0, Rms: double.MaxValue);
        var shifted = new float[m.Length];
        for (var dy = -maxPixels; dy <= maxPixels + 1e-9; dy += 0.5)
        {
            for (var dx = -maxPixels; dx <= maxPixels + 1e-9; dx += 0.5)
            {
                using var warp = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new[] { 1, 0, dx, 0, 1, dy });
                using var s = new Mat();
                Cv2.WarpAffine(t, s, warp, t.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
                System.Runtime.InteropServices.Marshal.Copy(s.Data, shifted, 0, shifted.Length);
                int n = 0;
                double sum = 0, sumSquares = 0;
                for (var i = 0; i < m.Length; i += 3)
                {
                    if (mask[i] && !float.IsNaN(m[i]) && !float.IsNaN(shifted[i]))
                    {
                        double d = m[i] - shifted[i];
                        sum += d;
                        sumSquares += d * d;
                        n++;
                    }
                }
                var mean = sum / n;
                var rms = Math.Sqrt(Math.Max(0, (sumSquares / n) - (mean * mean)));
                if (rms < best.Rms)
                {
                    best = (dx, dy, rms);
                }
            }
        }
        return best;
    }

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{InvalidFraction:P2} of {MaskPoints} mask points invalid, RMS {RmsMicrometres:0.000} µm (mean offset {MeanOffsetMicrometres:0.00} µm removed)");
}
