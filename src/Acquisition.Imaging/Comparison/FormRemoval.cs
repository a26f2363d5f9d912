using OpenCvSharp;

namespace Acquisition.Imaging.Comparison;

/// <summary>
/// Removes the form of a surface: a least-squares polynomial in x and y fitted to the valid points only and
/// subtracted. A casing's breech face is tilted and domed by hundreds of nanometres to micrometres across the region;
/// the Gaussian band-pass alone leaves much of that (its 500 µm cut-off is a fraction of the region), and the residue
/// would dominate the correlation.
/// </summary>
public static class FormRemoval
{
    /// <summary>
    /// <paramref name="map"/> less its best-fitting polynomial of total degree <paramref name="degree"/> (1 = plane,
    /// 2 = quadratic, up to 4). Invalid points stay invalid.
    /// </summary>
    public static MaskedHeightMap RemovePolynomial(MaskedHeightMap map, int degree = 2)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degree, 4);
        var terms = Terms(degree);
        if (map.ValidCount < terms.Count * 4)
        {
            throw new InvalidOperationException($"Only {map.ValidCount} valid points: too few to fit a degree-{degree} form ({terms.Count} terms).");
        }
        // Coordinates scaled to about ±1 keep the normal equations well conditioned.
        var cx = (map.Width - 1) / 2.0;
        var cy = (map.Height - 1) / 2.0;
        var scale = 2.0 / Math.Max(1, Math.Max(map.Width, map.Height) - 1);
        var k = terms.Count;
        var normal = new double[k, k];
        var rhs = new double[k];
        var basis = new double[k];
        var heights = map.HeightsMicrometres;
        for (var y = 0; y < map.Height; y++)
        {
            var v = (y - cy) * scale;
            for (var x = 0; x < map.Width; x++)
            {
                var h = heights[x + (y * map.Width)];
                if (float.IsNaN(h))
                {
                    continue;
                }
                Evaluate(terms, (x - cx) * scale, v, basis);
                for (var i = 0; i < k; i++)
                {
                    rhs[i] += basis[i] * h;
                    for (var j = i; j < k; j++)
                    {
                        normal[i, j] += basis[i] * basis[j];
                    }
                }
            }
        }
        using var a = new Mat(k, k, MatType.CV_64FC1);
        using var b = new Mat(k, 1, MatType.CV_64FC1);
        for (var i = 0; i < k; i++)
        {
            b.Set(i, 0, rhs[i]);
            for (var j = 0; j < k; j++)
            {
                a.Set(i, j, j >= i ? normal[i, j] : normal[j, i]);
            }
        }
        using var solution = new Mat();
        if (!Cv2.Solve(a, b, solution, DecompTypes.SVD))
        {
            throw new InvalidOperationException("The form fit is singular: the valid points do not span the region.");
        }
        var coefficients = new double[k];
        for (var i = 0; i < k; i++)
        {
            coefficients[i] = solution.At<double>(i, 0);
        }
        var result = new float[heights.Length];
        for (var y = 0; y < map.Height; y++)
        {
            var v = (y - cy) * scale;
            for (var x = 0; x < map.Width; x++)
            {
                var index = x + (y * map.Width);
                var h = heights[index];
                if (float.IsNaN(h))
                {
                    result[index] = float.NaN;
                    continue;
                }
                Evaluate(terms, (x - cx) * scale, v, basis);
                double form = 0;
                for (var i = 0; i < k; i++)
                {
                    form += coefficients[i] * basis[i];
                }
                result[index] = (float)(h - form);
            }
        }
        return new MaskedHeightMap(map.Width, map.Height, map.PixelSizeMicrometres, result);
    }

    private static List<(int Px, int Py)> Terms(int degree)
    {
        var terms = new List<(int, int)>();
        for (var d = 0; d <= degree; d++)
        {
            for (var py = 0; py <= d; py++)
            {
                terms.Add((d - py, py));
            }
        }
        return terms;
    }

    private static void Evaluate(List<(int Px, int Py)> terms, double u, double v, double[] basis)
    {
        Span<double> up = stackalloc double[5];
        Span<double> vp = stackalloc double[5];
        up[0] = 1;
        vp[0] = 1;
        for (var i = 1; i < 5; i++)
        {
            up[i] = up[i - 1] * u;
            vp[i] = vp[i - 1] * v;
        }
        for (var i = 0; i < terms.Count; i++)
        {
            basis[i] = up[terms[i].Px] * vp[terms[i].Py];
        }
    }
}
