using System.Runtime.InteropServices;
using Acquisition.Imaging.X3p;
using OpenCvSharp;

namespace Acquisition.Imaging.Comparison;

/// <summary>
/// A height map on a square grid, micrometres, row-major (index = x + y·Width), NaN where there is no valid point.
/// Every step of the comparison reads and writes this form, so the mask travels with the heights and is never
/// mistaken for a height of zero.
/// </summary>
public sealed class MaskedHeightMap
{
    private readonly float[] _heights;

    public MaskedHeightMap(int width, int height, double pixelSizeMicrometres, float[] heightsMicrometres)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(heightsMicrometres);
        if (!(pixelSizeMicrometres > 0) || double.IsInfinity(pixelSizeMicrometres))
        {
            throw new ArgumentOutOfRangeException(nameof(pixelSizeMicrometres), pixelSizeMicrometres, "The pixel size must be a positive number of micrometres.");
        }
        if (heightsMicrometres.Length != (long)width * height)
        {
            throw new ArgumentException($"{heightsMicrometres.Length} heights given; a {width}×{height} map needs {(long)width * height}.", nameof(heightsMicrometres));
        }
        Width = width;
        Height = height;
        PixelSizeMicrometres = pixelSizeMicrometres;
        _heights = heightsMicrometres;
        for (var i = 0; i < _heights.Length; i++)
        {
            if (float.IsInfinity(_heights[i]))
            {
                _heights[i] = float.NaN;
            }
            else if (!float.IsNaN(_heights[i]))
            {
                ValidCount++;
            }
        }
    }

    public int Width { get; }
    public int Height { get; }
    public double PixelSizeMicrometres { get; }

    /// <summary>The heights (µm), NaN where invalid. The array is the map's own: do not change it.</summary>
    public ReadOnlySpan<float> HeightsMicrometres => _heights;

    public int ValidCount { get; }

    public float this[int x, int y] => _heights[x + (y * Width)];

    /// <summary>
    /// An X3P surface as a height map. The grid must be square (equal x and y spacing within 0.1 %), as every
    /// surface the station writes and the reference scans are; anything else is refused rather than distorted.
    /// </summary>
    public static MaskedHeightMap FromX3p(X3pSurface surface)
    {
        ArgumentNullException.ThrowIfNull(surface);
        var dx = surface.IncrementXMetres * 1e6;
        var dy = surface.IncrementYMetres * 1e6;
        if (Math.Abs(dx - dy) > 1e-3 * Math.Max(dx, dy))
        {
            throw new ArgumentException($"The X3P grid is not square ({dx} µm × {dy} µm): resample it to square pixels before comparing.", nameof(surface));
        }
        return new MaskedHeightMap(surface.SizeX, surface.SizeY, dx, surface.ToMicrometresFloat32());
    }

    /// <summary>A copy in which every point where <paramref name="keep"/> is false is invalid.</summary>
    public MaskedHeightMap WithMask(ReadOnlySpan<bool> keep)
    {
        if (keep.Length != _heights.Length)
        {
            throw new ArgumentException($"The mask has {keep.Length} points; the map has {_heights.Length}.", nameof(keep));
        }
        var copy = new float[_heights.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = keep[i] ? _heights[i] : float.NaN;
        }
        return new MaskedHeightMap(Width, Height, PixelSizeMicrometres, copy);
    }

    /// <summary>The smallest rectangle holding every valid point, plus <paramref name="marginPixels"/> (clipped).</summary>
    public Rect ValidBounds(int marginPixels = 0)
    {
        int x0 = Width, y0 = Height, x1 = -1, y1 = -1;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if (!float.IsNaN(_heights[x + (y * Width)]))
                {
                    x0 = Math.Min(x0, x);
                    x1 = Math.Max(x1, x);
                    y0 = Math.Min(y0, y);
                    y1 = Math.Max(y1, y);
                }
            }
        }
        if (x1 < 0)
        {
            return new Rect(0, 0, 0, 0);
        }
        x0 = Math.Max(0, x0 - marginPixels);
        y0 = Math.Max(0, y0 - marginPixels);
        x1 = Math.Min(Width - 1, x1 + marginPixels);
        y1 = Math.Min(Height - 1, y1 + marginPixels);
        return new Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>The part of the map inside <paramref name="rect"/>.</summary>
    public MaskedHeightMap Crop(Rect rect)
    {
        if (rect.Width <= 0 || rect.Height <= 0 || rect.X < 0 || rect.Y < 0 || rect.Right > Width || rect.Bottom > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(rect), $"{rect} is not a non-empty part of the {Width}×{Height} map.");
        }
        var copy = new float[rect.Width * rect.Height];
        for (var y = 0; y < rect.Height; y++)
        {
            Array.Copy(_heights, rect.X + ((rect.Y + y) * Width), copy, y * rect.Width, rect.Width);
        }
        return new MaskedHeightMap(rect.Width, rect.Height, PixelSizeMicrometres, copy);
    }

    /// <summary>The map cropped to its valid points; a map with none is refused (there is nothing to compare).</summary>
    public MaskedHeightMap CropToValid()
    {
        if (ValidCount == 0)
        {
            throw new InvalidOperationException("The height map has no valid point: nothing to compare.");
        }
        return Crop(ValidBounds());
    }

    /// <summary>
    /// The map as two CV_32FC1 images for normalised (masked) filtering: the heights with invalid points set to 0,
    /// and the weight, 1 where valid and 0 where not.
    /// </summary>
    internal (Mat Values, Mat Weights) ToMats()
    {
        var values = new float[_heights.Length];
        var weights = new float[_heights.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var h = _heights[i];
            if (!float.IsNaN(h))
            {
                values[i] = h;
                weights[i] = 1;
            }
        }
        var v = new Mat(Height, Width, MatType.CV_32FC1);
        var w = new Mat(Height, Width, MatType.CV_32FC1);
        Marshal.Copy(values, 0, v.Data, values.Length);
        Marshal.Copy(weights, 0, w.Data, weights.Length);
        return (v, w);
    }

    /// <summary>
    /// A map from weighted sums: height = <paramref name="weightedValues"/> / <paramref name="weights"/> where the
    /// weight reaches <paramref name="minWeight"/>, else invalid.
    /// </summary>
    internal static MaskedHeightMap FromWeighted(Mat weightedValues, Mat weights, double minWeight, double pixelSizeMicrometres)
    {
        var n = weightedValues.Rows * weightedValues.Cols;
        var v = ReadFloats(weightedValues);
        var w = ReadFloats(weights);
        var heights = new float[n];
        for (var i = 0; i < n; i++)
        {
            heights[i] = w[i] >= minWeight ? v[i] / w[i] : float.NaN;
        }
        return new MaskedHeightMap(weightedValues.Cols, weightedValues.Rows, pixelSizeMicrometres, heights);
    }

    internal static float[] ReadFloats(Mat mat)
    {
        if (mat.Type() != MatType.CV_32FC1)
        {
            throw new ArgumentException("Expected a CV_32FC1 image.", nameof(mat));
        }
        var result = new float[mat.Rows * mat.Cols];
        if (mat.IsContinuous())
        {
            Marshal.Copy(mat.Data, result, 0, result.Length);
        }
        else
        {
            using var copy = mat.Clone();
            Marshal.Copy(copy.Data, result, 0, result.Length);
        }
        return result;
    }
}
