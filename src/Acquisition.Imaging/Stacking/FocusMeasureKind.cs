namespace Acquisition.Imaging.Stacking;

/// <summary>The per-pixel focus measures compared in docs/imaging.md; each is averaged over a square window.</summary>
public enum FocusMeasureKind
{
    /// <summary>Sum-modified-Laplacian (Nayar): |∂²I/∂x²| + |∂²I/∂y²|, summed over the window.</summary>
    SumModifiedLaplacian,

    /// <summary>Tenengrad: squared Sobel gradient magnitude, summed over the window.</summary>
    Tenengrad,

    /// <summary>Variance of the Laplacian within the window.</summary>
    VarianceOfLaplacian,
}
