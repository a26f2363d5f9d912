namespace Acquisition.Workflow.Recipes;

/// <summary>A capture recipe for one calibre family (firmware-config/recipes/*.json).</summary>
/// <param name="Name">The recipe name the calibre table refers to.</param>
/// <param name="Version">Bumped whenever the recipe changes, so a package names exactly what it used.</param>
/// <param name="SourceFile">The file it was loaded from (for messages and the package).</param>
/// <param name="Sha256">SHA-256 of the file's bytes, recorded in every package.</param>
public sealed record Recipe(
    string Name,
    int Version,
    string SourceFile,
    string Sha256,
    OverviewRecipe Overview,
    IReadOnlyList<RegionRecipe> Regions)
{
    /// <summary>Frames the recipe takes for its stacks (not counting overview, autofocus or retries).</summary>
    public int StackFrameCount => Regions.Sum(r => r.SliceCount * r.Lightings.Count);
}
