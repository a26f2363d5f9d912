namespace Acquisition.Station.Web;

/// <summary>One region of a capture: QC with reasons, the fused image per lighting and the false-colour height map.</summary>
public sealed record RegionResultView(
    string Region,
    bool QcPassed,
    int Attempts,
    IReadOnlyList<string> QcReasons,
    IReadOnlyList<FusedImageView> FusedImages,
    string? HeightMapUrl,
    double ZFromMicrometres,
    double ZToMicrometres);
