using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;

namespace Acquisition.Console.Stack;

/// <summary>The JSON report `acq stack` writes next to its results.</summary>
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
    double MillisecondsPerSlice);
