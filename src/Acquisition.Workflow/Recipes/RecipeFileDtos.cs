namespace Acquisition.Workflow.Recipes;

// The on-disk shape of recipes and the calibre table. Kept apart from the domain records so that the files can say
// units in their names (…Micrometres, …Milliseconds) while code uses Micrometres and TimeSpan.

internal sealed class CalibreTableFile
{
    public required string Schema { get; init; }
    public required List<CalibreFileEntry> Calibres { get; init; }
}

internal sealed class CalibreFileEntry
{
    public required string Name { get; init; }
    public List<string> Aliases { get; init; } = [];
    public required double PrimerDiameterMillimetres { get; init; }
    public required double CaseHeadDiameterMillimetres { get; init; }
    public required string Recipe { get; init; }
}

internal sealed class RecipeFile
{
    public required string Schema { get; init; }
    public required string Name { get; init; }
    public required int Version { get; init; }
    public string? Description { get; init; }
    public required OverviewFile Overview { get; init; }
    public required List<RegionFile> Regions { get; init; }
}

internal sealed class OverviewFile
{
    public required LightingFile Lighting { get; init; }
    public required double ExposureMilliseconds { get; init; }
    public required int Downscale { get; init; }
    public required double AutofocusRangeMicrometres { get; init; }
    public required double AutofocusCoarseStepMicrometres { get; init; }
    public required double AutofocusFineStepMicrometres { get; init; }
    public required double AutofocusTimeLimitSeconds { get; init; }
}

internal sealed class LightingFile
{
    public required string Name { get; init; }
    public List<int> Segments { get; init; } = [];
    public required double Intensity { get; init; }
    public double Coaxial { get; init; }
}

internal sealed class OffsetFile
{
    public required double X { get; init; }
    public required double Y { get; init; }
}

internal sealed class ZRangeFile
{
    public required double From { get; init; }
    public required double To { get; init; }
}

internal sealed class MaskFile
{
    public required double OuterRadiusMicrometres { get; init; }
    public double InnerRadiusMicrometres { get; init; }
}

internal sealed class QcFile
{
    public required double MinFocusCoveragePercent { get; init; }
    public required double MaxSaturationPercent { get; init; }
    public required double MaxRegistrationResidualPixels { get; init; }
    public required double MinDepthRangeMicrometres { get; init; }
}

internal sealed class RegionFile
{
    public required string Region { get; init; }
    public required OffsetFile OffsetFromPrimerCentreMicrometres { get; init; }
    public required ZRangeFile ZRangeMicrometres { get; init; }
    public required double ZStepMicrometres { get; init; }
    public required List<LightingFile> Lightings { get; init; }
    public required double ExposureMilliseconds { get; init; }
    public required MaskFile Mask { get; init; }
    public required QcFile Qc { get; init; }
}
