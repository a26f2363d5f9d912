using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;

namespace Acquisition.Console.Stack;

/// <summary>The JSON report `acq stack` writes next to its results.</summary>
/// <param name="MagnificationChangePerMicrometre">The --magnification-per-um applied (0: translation-only registration).</param>
/// <param name="Calibration">What calibration applies to the results: none, said in words (<see cref="StackJob.NoCalibration"/>).</param>
/// <param name="Warnings">Every warning printed on stderr, such as 12-bit data read as 16-bit or a slice left unregistered.</param>
/// <param name="RegistrationDownscale">The scale registration worked at (1 = full resolution), chosen from the pixel size as the station chooses it.</param>
/// <param name="RegistrationCropPixels">The side of the registration crop, in pixels at that scale.</param>
public sealed record StackReport(
    string Software,
    DateTimeOffset CreatedUtc,
    IReadOnlyList<string> Inputs,
    double ZStartMicrometres,
    double ZStepMicrometres,
    double PixelSizeMicrometres,
    bool PixelSizeAssumed,
    FocusStackStatistics Statistics,
    QualityReport Quality,
    IReadOnlyDictionary<string, string> OutputSha256,
    long PeakWorkingSetBytes,
    double MillisecondsPerSlice,
    double MagnificationChangePerMicrometre,
    string Calibration,
    IReadOnlyList<string> Warnings,
    int RegistrationDownscale,
    int RegistrationCropPixels);
