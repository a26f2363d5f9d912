using OpenCvSharp;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// How a stacked image sits on the truth's pixel grid: 5×5 tiles, each phase-correlated against the truth, their
/// shifts fitted by a common offset plus an isotropic scale about the image centre (the magnification error). Used on
/// fused images: the stacker warps each slice once and takes the fused image and the height map from the same warped
/// slices, so they share one grid, and the fused image's texture registers where the breech face's faint height
/// marks do not (tried: too few tiles correlate, and a plane mask taken from the truth biases both towards zero shift).
/// </summary>
internal readonly record struct GridRegistration(double ScaleError, double OffsetPixels, double WorstResidualPixels, int Tiles)
{
    private const double MinimumResponse = 0.15;

    /// <param name="tile">Tile side in pixels: larger for a sparse texture (a height map's marks), at the cost of locality.</param>
    public static GridRegistration Of(Mat measured, Mat truth, int tile = 128)
    {
        var pitch = (Math.Min(measured.Cols, measured.Rows) - tile - 2) / 4;
        double cx = (measured.Cols - 1) / 2.0, cy = (measured.Rows - 1) / 2.0;
        var rows = new List<(double Px, double Py, double Sx, double Sy)>();
        using var window = new Mat();
        Cv2.CreateHanningWindow(window, new Size(tile, tile), MatType.CV_64FC1);
        for (var oy = -2; oy <= 2; oy++)
        {
            for (var ox = -2; ox <= 2; ox++)
            {
                var x0 = (int)cx + (ox * pitch) - (tile / 2);
                var y0 = (int)cy + (oy * pitch) - (tile / 2);
                var rect = new Rect(x0, y0, tile, tile);
                using var a = Prepared(truth, rect);
                using var b = Prepared(measured, rect);
                var shift = Cv2.PhaseCorrelate(a, b, window, out var response);
                // A tile without enough texture (deep in the crater, far out of focus) correlates to noise.
                if (response >= MinimumResponse)
                {
                    rows.Add((x0 + (tile / 2.0) - cx, y0 + (tile / 2.0) - cy, shift.X, shift.Y));
                }
            }
        }
        if (rows.Count < 6)
        {
            throw new InvalidOperationException($"only {rows.Count} tiles correlate: nothing to register on");
        }
        // Least squares for s = t + e·p over both axes (unknowns tx, ty, e), dropping the worst tile while it misses
        // the fit by more than a pixel: a tile whose texture is mostly out of the stack's range can lock onto a wrong peak.
        while (true)
        {
            var (tx, ty, e) = Fit(rows);
            double Miss((double Px, double Py, double Sx, double Sy) r) => Math.Sqrt(Math.Pow(r.Sx - tx - (e * r.Px), 2) + Math.Pow(r.Sy - ty - (e * r.Py), 2));
            var worst = rows.MaxBy(Miss);
            if (Miss(worst) <= 1.0 || rows.Count <= 6)
            {
                return new GridRegistration(e, Math.Sqrt((tx * tx) + (ty * ty)), Miss(worst), rows.Count);
            }
            rows.Remove(worst);
        }
    }

    private static (double Tx, double Ty, double E) Fit(List<(double Px, double Py, double Sx, double Sy)> rows)
    {
        using var design = new Mat(rows.Count * 2, 3, MatType.CV_64FC1, Scalar.All(0));
        using var rhs = new Mat(rows.Count * 2, 1, MatType.CV_64FC1);
        for (var i = 0; i < rows.Count; i++)
        {
            design.Set(2 * i, 0, 1.0);
            design.Set(2 * i, 2, rows[i].Px);
            rhs.Set(2 * i, 0, rows[i].Sx);
            design.Set((2 * i) + 1, 1, 1.0);
            design.Set((2 * i) + 1, 2, rows[i].Py);
            rhs.Set((2 * i) + 1, 0, rows[i].Sy);
        }
        using var solution = new Mat();
        Cv2.Solve(design, rhs, solution, DecompTypes.SVD);
        return (solution.At<double>(0, 0), solution.At<double>(1, 0), solution.At<double>(2, 0));
    }

    /// <summary>A tile as CV_64F, its fine texture only: invalid (NaN) points set to the mean, the form taken out by a high-pass.</summary>
    private static Mat Prepared(Mat image, Rect rect)
    {
        using var roi = new Mat(image, rect);
        var tile = new Mat();
        roi.ConvertTo(tile, MatType.CV_64FC1);
        using var valid = new Mat();
        Cv2.Compare(tile, tile, valid, CmpTypes.EQ);
        var mean = Cv2.CountNonZero(valid) == 0 ? 0 : Cv2.Mean(tile, valid).Val0;
        using var invalid = new Mat();
        Cv2.BitwiseNot(valid, invalid);
        tile.SetTo(new Scalar(mean), invalid);
        using var form = new Mat();
        Cv2.GaussianBlur(tile, form, new Size(0, 0), 8);
        Cv2.Subtract(tile, form, tile);
        return tile;
    }

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"scale {ScaleError * 100:+0.000;-0.000;0.000} %, offset {OffsetPixels:0.00} px, worst tile residual {WorstResidualPixels:0.00} px over {Tiles} tiles");
}
