namespace Acquisition.Workflow.Processing;

/// <summary>What one region's stack yields: a fused image per lighting and one height map from all of them.</summary>
/// <param name="Fused">One per lighting, in recipe order.</param>
/// <param name="Width">Height-map width in pixels.</param>
/// <param name="Height">Height-map height in pixels.</param>
/// <param name="HeightMicrometres">Per pixel, row-major; NaN where no clear focus peak was found.</param>
/// <param name="Confidence">Per pixel focus-peak confidence (0 where invalid).</param>
/// <param name="RegistrationResidualPixels">The worst residual of slice-to-slice registration.</param>
/// <param name="NoiseEstimate">Noise as a fraction of full scale, as the stacker estimates it.</param>
/// <param name="HeldSlices">Slices, over all lightings, too faint to register that kept their neighbour's position.</param>
/// <param name="RegistrationDownscale">The scale registration worked at (1 = full resolution); 0 when not known.</param>
/// <param name="RegistrationCropPixels">The side of the central crop registered on, in downscaled pixels; 0 when not known.</param>
public sealed record RegionStackResult(
    IReadOnlyList<FusedImage> Fused,
    int Width,
    int Height,
    float[] HeightMicrometres,
    float[] Confidence,
    double RegistrationResidualPixels,
    double NoiseEstimate,
    int HeldSlices = 0,
    int RegistrationDownscale = 0,
    int RegistrationCropPixels = 0);
