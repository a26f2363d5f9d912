namespace Acquisition.Imaging.Quality;

/// <summary>
/// Quality figures of one stack, and whether it is accepted. <see cref="Reasons"/> lists every failed limit in
/// words an operator can act on; it is empty when <see cref="Accepted"/>. <see cref="HeldRegistrations"/> counts slices too
/// faint to register that kept their neighbour's position: information, not a reason to reject.
/// </summary>
public sealed record QualityReport(
    double FocusCoveragePercent,
    double SaturationPercent,
    double RegistrationResidualRmsPixels,
    int FailedRegistrations,
    int HeldRegistrations,
    double NoiseSigmaFullScale,
    double DepthRangeMicrometres,
    double HeightP01Micrometres,
    double HeightP99Micrometres,
    long RegionPixelCount,
    bool Accepted,
    IReadOnlyList<string> Reasons);
