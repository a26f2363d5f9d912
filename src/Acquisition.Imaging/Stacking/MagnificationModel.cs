using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// Magnification against stage z for non-telecentric optics: m(z) = 1 + k · (z − z_ref), about the image centre.
/// Calibrated once (for example from two images of a flat textured target) and applied to every slice.
/// </summary>
public sealed record MagnificationModel(double RelativeChangePerMicrometre, double ReferenceZMicrometres)
{
    public static MagnificationModel Identity { get; } = new(0, 0);

    public bool IsIdentity => RelativeChangePerMicrometre == 0;

    public double MagnificationAt(double zMicrometres) => 1 + RelativeChangePerMicrometre * (zMicrometres - ReferenceZMicrometres);

    /// <summary>The scale of an image taken at <paramref name="zMicrometres"/> relative to one taken at <paramref name="referenceZMicrometres"/>.</summary>
    public double RelativeScale(double zMicrometres, double referenceZMicrometres) =>
        MagnificationAt(zMicrometres) / MagnificationAt(referenceZMicrometres);

    /// <summary>
    /// Estimates k from two images of the same textured, flat target at two stage heights. Tiles on a 3×3 grid are
    /// phase-correlated; their shifts grow linearly with distance from the centre by (scale − 1), which a linear
    /// least-squares fit separates from a common translation.
    /// </summary>
    public static MagnificationModel Calibrate(Mat imageA, double zAMicrometres, Mat imageB, double zBMicrometres)
    {
        ArgumentNullException.ThrowIfNull(imageA);
        ArgumentNullException.ThrowIfNull(imageB);
        if (imageA.Size() != imageB.Size())
        {
            throw new ArgumentException($"Calibration images differ in size ({imageA.Width}×{imageA.Height} vs {imageB.Width}×{imageB.Height}).");
        }
        if (Math.Abs(zBMicrometres - zAMicrometres) < 1e-6)
        {
            throw new ArgumentException("Calibration images must be taken at different stage heights.");
        }
        using var a = ToFloat(imageA);
        using var b = ToFloat(imageB);
        int w = a.Width, h = a.Height;
        int tile = Math.Min(w, h) / 4;
        tile -= tile % 2;
        if (tile < 32)
        {
            throw new ArgumentException($"Calibration images are too small ({w}×{h}); at least 128×128 is needed.");
        }
        using var window = new Mat();
        Cv2.CreateHanningWindow(window, new Size(tile, tile), MatType.CV_32F);
        double cx = w / 2.0, cy = h / 2.0;
        // Normal equations for [s−1, tx, ty] from shift_x = (s−1)·px + tx and shift_y = (s−1)·py + ty.
        var ata = new double[3, 3];
        var atb = new double[3];
        foreach (var fy in new[] { 0.2, 0.5, 0.8 })
        {
            foreach (var fx in new[] { 0.2, 0.5, 0.8 })
            {
                int x0 = (int)(fx * w) - tile / 2, y0 = (int)(fy * h) - tile / 2;
                var rect = new Rect(Math.Clamp(x0, 0, w - tile), Math.Clamp(y0, 0, h - tile), tile, tile);
                using var ta = new Mat(a, rect);
                using var tb = new Mat(b, rect);
                var shift = Cv2.PhaseCorrelate(ta, tb, window, out _);
                double px = rect.X + tile / 2.0 - cx, py = rect.Y + tile / 2.0 - cy;
                Accumulate(ata, atb, [px, 1, 0], shift.X);
                Accumulate(ata, atb, [py, 0, 1], shift.Y);
            }
        }
        var solution = Solve3(ata, atb);
        double scale = 1 + solution[0];
        // scale = m(zB)/m(zA) = (1 + k(zB − zA)) to first order with zA as reference.
        double k = (scale - 1) / (zBMicrometres - zAMicrometres);
        return new MagnificationModel(k, zAMicrometres);
    }

    private static Mat ToFloat(Mat image)
    {
        var f = new Mat();
        image.ConvertTo(f, MatType.CV_32F);
        if (f.Channels() != 1)
        {
            throw new ArgumentException("Calibration images must be single-channel.");
        }
        return f;
    }

    private static void Accumulate(double[,] ata, double[] atb, double[] row, double value)
    {
        for (int i = 0; i < 3; i++)
        {
            atb[i] += row[i] * value;
            for (int j = 0; j < 3; j++)
            {
                ata[i, j] += row[i] * row[j];
            }
        }
    }

    private static double[] Solve3(double[,] m, double[] v)
    {
        // Cramer's rule: the system is 3×3 and well conditioned by construction (tiles spread over the field).
        double Det(double[,] x) =>
            x[0, 0] * (x[1, 1] * x[2, 2] - x[1, 2] * x[2, 1])
            - x[0, 1] * (x[1, 0] * x[2, 2] - x[1, 2] * x[2, 0])
            + x[0, 2] * (x[1, 0] * x[2, 1] - x[1, 1] * x[2, 0]);
        double d = Det(m);
        var result = new double[3];
        for (int c = 0; c < 3; c++)
        {
            var mc = (double[,])m.Clone();
            for (int r = 0; r < 3; r++)
            {
                mc[r, c] = v[r];
            }
            result[c] = Det(mc) / d;
        }
        return result;
    }
}
