namespace Acquisition.Workflow.Processing;

/// <summary>The measured quality of one region attempt.</summary>
/// <param name="FocusCoveragePercent">Valid height pixels inside the region mask.</param>
/// <param name="SaturationPercent">Worst over the lightings: pixels at full scale in the fused image, inside the mask.</param>
/// <param name="RegistrationResidualPixels">As the stacker reports it.</param>
/// <param name="NoiseEstimate">As the stacker reports it, fraction of full scale.</param>
/// <param name="DepthRangeMicrometres">1st to 99th percentile of valid heights inside the mask (0 when none).</param>
/// <param name="MeanLevelPercent">Mean fused grey level inside the mask, darkest lighting, % of full scale.</param>
/// <param name="PeakAtStackEndPercent">Valid pixels whose height lies within one step of either end of the stack.</param>
/// <param name="HeldSlices">Slices too faint to register that kept their neighbour's position (information, not a QC limit).</param>
public sealed record RegionQualityMetrics(
    double FocusCoveragePercent,
    double SaturationPercent,
    double RegistrationResidualPixels,
    double NoiseEstimate,
    double DepthRangeMicrometres,
    double MeanLevelPercent,
    double PeakAtStackEndPercent,
    int HeldSlices = 0);
