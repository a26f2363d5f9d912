namespace Acquisition.Station.Web;

/// <summary>One region of a capture: fused image and false-colour height map URLs, and QC with reasons.</summary>
public sealed record RegionResultView(
    string Region,
    bool QcPassed,
    IReadOnlyList<string> QcReasons,
    string? FusedImageUrl,
    string? HeightMapUrl,
    double HeightMinMicrometres,
    double HeightMaxMicrometres);
