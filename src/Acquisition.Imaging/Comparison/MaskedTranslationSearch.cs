using OpenCvSharp;

namespace Acquisition.Imaging.Comparison;

/// <summary>
/// The masked normalised cross-correlation of a fixed reference against a moving image at every integer translation,
/// computed in the Fourier domain (Padfield, "Masked object registration in the Fourier domain", IEEE TIP 2012): six
/// correlations of the values, their squares and the masks give, per shift, the sums over the overlap only, so the
/// mean and variance of each side are those of the overlapping valid points and nothing else. The reference's spectra
/// are computed once and reused for every rotation of the moving image.
/// </summary>
internal sealed class MaskedTranslationSearch : IDisposable
{
    private readonly int _dftWidth;
    private readonly int _dftHeight;
    private readonly int _referenceWidth;
    private readonly int _referenceHeight;
    private readonly int _movingWidth;
    private readonly int _movingHeight;
    private readonly Mat _a;
    private readonly Mat _aa;
    private readonly Mat _ma;

    /// <param name="referenceValues">CV_32FC1, 0 where invalid.</param>
    /// <param name="referenceMask">CV_32FC1, exactly 1 where valid and 0 where not.</param>
    /// <param name="movingWidth">Width of every moving image that will be searched.</param>
    /// <param name="movingHeight">Height of every moving image.</param>
    public MaskedTranslationSearch(Mat referenceValues, Mat referenceMask, int movingWidth, int movingHeight)
    {
        _referenceWidth = referenceValues.Cols;
        _referenceHeight = referenceValues.Rows;
        _movingWidth = movingWidth;
        _movingHeight = movingHeight;
        // Linear, not circular, correlation: pad to at least the sum of the sizes.
        _dftWidth = Cv2.GetOptimalDFTSize(_referenceWidth + movingWidth - 1);
        _dftHeight = Cv2.GetOptimalDFTSize(_referenceHeight + movingHeight - 1);
        ReferenceValidPoints = (int)Math.Round(Cv2.Sum(referenceMask).Val0);
        using var squares = new Mat();
        Cv2.Multiply(referenceValues, referenceValues, squares);
        _a = Spectrum(referenceValues);
        _aa = Spectrum(squares);
        _ma = Spectrum(referenceMask);
    }

    public int ReferenceValidPoints { get; }

    /// <summary>
    /// The best shift of the moving image whose overlap with the reference is at least
    /// <paramref name="minOverlapPoints"/>; null when no shift overlaps that much. Shift (dx, dy) puts the moving
    /// image's pixel (0, 0) on the reference's pixel (dx, dy).
    /// </summary>
    public (double Ncc, int Dx, int Dy, int Overlap)? Best(Mat movingValues, Mat movingMask, double minOverlapPoints)
    {
        if (movingValues.Cols != _movingWidth || movingValues.Rows != _movingHeight)
        {
            throw new ArgumentException($"The moving image is {movingValues.Cols}×{movingValues.Rows}; this search was prepared for {_movingWidth}×{_movingHeight}.");
        }
        using var squares = new Mat();
        Cv2.Multiply(movingValues, movingValues, squares);
        using var b = Spectrum(movingValues);
        using var bb = Spectrum(squares);
        using var mb = Spectrum(movingMask);

        var n = Correlate(_ma, mb);
        var sa = Correlate(_a, mb);
        var sb = Correlate(_ma, b);
        var saa = Correlate(_aa, mb);
        var sbb = Correlate(_ma, bb);
        var sab = Correlate(_a, b);

        var best = double.NegativeInfinity;
        int bestIndex = -1, bestOverlap = 0;
        // Shifts whose overlap can be non-empty: dx in [−(Wb−1), Wa−1]; negative shifts wrap to the end of the array.
        for (var dy = -(_movingHeight - 1); dy < _referenceHeight; dy++)
        {
            var row = (dy < 0 ? dy + _dftHeight : dy) * _dftWidth;
            for (var dx = -(_movingWidth - 1); dx < _referenceWidth; dx++)
            {
                var i = row + (dx < 0 ? dx + _dftWidth : dx);
                double count = n[i];
                if (count < minOverlapPoints || count < 2)
                {
                    continue;
                }
                var meanProduct = sa[i] * (double)sb[i] / count;
                var varA = saa[i] - (sa[i] * (double)sa[i] / count);
                var varB = sbb[i] - (sb[i] * (double)sb[i] / count);
                // A flat overlap has no texture to correlate; rounding can also leave tiny negative variances.
                var floor = 1e-6 * count;
                if (varA <= floor || varB <= floor)
                {
                    continue;
                }
                var ncc = (sab[i] - meanProduct) / Math.Sqrt(varA * varB);
                if (ncc > best)
                {
                    best = ncc;
                    bestIndex = i;
                    bestOverlap = (int)Math.Round(count);
                }
            }
        }
        if (bestIndex < 0)
        {
            return null;
        }
        var bx = bestIndex % _dftWidth;
        var by = bestIndex / _dftWidth;
        return (Math.Min(best, 1.0), bx >= _referenceWidth ? bx - _dftWidth : bx, by >= _referenceHeight ? by - _dftHeight : by, bestOverlap);
    }

    private Mat Spectrum(Mat image)
    {
        using var padded = new Mat();
        Cv2.CopyMakeBorder(image, padded, 0, _dftHeight - image.Rows, 0, _dftWidth - image.Cols, BorderTypes.Constant, Scalar.All(0));
        var spectrum = new Mat();
        // Real input, packed (CCS) spectrum: half the work of a complex transform.
        Cv2.Dft(padded, spectrum, DftFlags.None);
        return spectrum;
    }

    /// <summary>Σₓ f(x + s)·g(x) for every shift s (circular over the padded size), as floats.</summary>
    private float[] Correlate(Mat f, Mat g)
    {
        using var product = new Mat();
        Cv2.MulSpectrums(f, g, product, DftFlags.None, conjB: true);
        using var spatial = new Mat();
        Cv2.Idft(product, spatial, DftFlags.Scale | DftFlags.RealOutput);
        return MaskedHeightMap.ReadFloats(spatial);
    }

    public void Dispose()
    {
        _a.Dispose();
        _aa.Dispose();
        _ma.Dispose();
    }
}
