namespace Acquisition.Imaging.X3p;

/// <summary>
/// A SUR height map: <see cref="SizeX"/> × <see cref="SizeY"/> points, x fastest (index = ix + iy·SizeX), heights in
/// metres, NaN where no valid point was measured. Exactly one of <see cref="Float32Metres"/> or
/// <see cref="Float64Metres"/> holds the data, so a float file round-trips bit for bit. Axis orientation: see
/// docs/x3p.md (ix runs left to right and iy top to bottom of the image as the camera sees the casing head; Z
/// points from the head towards the camera).
/// </summary>
public sealed class X3pSurface
{
    private X3pSurface(int sizeX, int sizeY, double incrementXMetres, double incrementYMetres, float[]? f32, double[]? f64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeX);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeY);
        if (!(incrementXMetres > 0) || !(incrementYMetres > 0) || double.IsInfinity(incrementXMetres) || double.IsInfinity(incrementYMetres))
        {
            throw new ArgumentOutOfRangeException(nameof(incrementXMetres), "Point spacing must be a positive finite length in metres.");
        }
        var length = f32?.Length ?? f64!.Length;
        if (length != (long)sizeX * sizeY)
        {
            throw new ArgumentException($"Height data has {length} points; {sizeX}×{sizeY} needs {(long)sizeX * sizeY}.");
        }
        SizeX = sizeX;
        SizeY = sizeY;
        IncrementXMetres = incrementXMetres;
        IncrementYMetres = incrementYMetres;
        Float32Metres = f32;
        Float64Metres = f64;
    }

    public int SizeX { get; }
    public int SizeY { get; }
    public double IncrementXMetres { get; }
    public double IncrementYMetres { get; }

    /// <summary>The heights when stored as float32 ("F"), else null.</summary>
    public float[]? Float32Metres { get; }

    /// <summary>The heights when stored as float64 ("D", or integer data scaled on reading), else null.</summary>
    public double[]? Float64Metres { get; }

    public X3pDataType DataType => Float32Metres is not null ? X3pDataType.Float32 : X3pDataType.Float64;

    public static X3pSurface FromFloat32Metres(int sizeX, int sizeY, double incrementXMetres, double incrementYMetres, float[] heights) =>
        new(sizeX, sizeY, incrementXMetres, incrementYMetres, heights ?? throw new ArgumentNullException(nameof(heights)), null);

    public static X3pSurface FromFloat64Metres(int sizeX, int sizeY, double incrementXMetres, double incrementYMetres, double[] heights) =>
        new(sizeX, sizeY, incrementXMetres, incrementYMetres, null, heights ?? throw new ArgumentNullException(nameof(heights)));

    /// <summary>
    /// A float32 surface from a height map in micrometres on a square pixel grid (the station's native units): the
    /// heights are converted to metres, NaN stays NaN.
    /// </summary>
    public static X3pSurface FromMicrometres(int sizeX, int sizeY, double pixelSizeMicrometres, ReadOnlySpan<float> heightsMicrometres)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixelSizeMicrometres);
        var metres = new float[heightsMicrometres.Length];
        for (var i = 0; i < metres.Length; i++)
        {
            metres[i] = (float)(heightsMicrometres[i] * 1e-6);
        }
        return FromFloat32Metres(sizeX, sizeY, pixelSizeMicrometres * 1e-6, pixelSizeMicrometres * 1e-6, metres);
    }

    /// <summary>Height at (ix, iy) in metres; NaN for an invalid point.</summary>
    public double HeightMetresAt(int ix, int iy)
    {
        if ((uint)ix >= (uint)SizeX || (uint)iy >= (uint)SizeY)
        {
            throw new ArgumentOutOfRangeException(nameof(ix), $"({ix},{iy}) is outside {SizeX}×{SizeY}.");
        }
        var i = ix + (iy * SizeX);
        return Float32Metres is not null ? Float32Metres[i] : Float64Metres![i];
    }

    /// <summary>All heights in micrometres as float32, row-major (iy rows of ix), NaN kept.</summary>
    public float[] ToMicrometresFloat32()
    {
        var result = new float[SizeX * SizeY];
        if (Float32Metres is not null)
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (float)(Float32Metres[i] * 1e6);
            }
        }
        else
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (float)(Float64Metres![i] * 1e6);
            }
        }
        return result;
    }
}
