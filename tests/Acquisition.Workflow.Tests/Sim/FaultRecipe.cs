using System.Text.Json.Nodes;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// A copy of the repository's firmware-config whose 9 mm recipe is cut down for the fault tests: the breech face
/// (nine slices) and the ejector mark (three slices, 4.18 mm to the side, so there is a lateral move), one lighting
/// each, and QC that accepts any stack. The faults happen in these stacks, so the rest of a full recipe would only
/// cost time; the overview, the autofocus range and the calibres stay as shipped (the autofocus steps are coarser).
/// </summary>
internal sealed class FaultRecipe : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <param name="shippedBreechFaceOnly">
    /// Only the breech face, with the shipped recipe's z-range and QC thresholds, one lighting and a 4 µm z-step (half
    /// the frames of the shipped 2 µm): for faults that only the image can reveal, where QC must do the catching.
    /// </param>
    public FaultRecipe(bool shippedBreechFaceOnly = false)
    {
        var source = TestPaths.FirmwareConfig;
        Directory.CreateDirectory(System.IO.Path.Combine(_dir.Path, "recipes"));
        File.Copy(System.IO.Path.Combine(source, "calibres.json"), System.IO.Path.Combine(_dir.Path, "calibres.json"));
        foreach (var recipe in Directory.GetFiles(System.IO.Path.Combine(source, "recipes"), "*.json"))
        {
            File.Copy(recipe, System.IO.Path.Combine(_dir.Path, "recipes", System.IO.Path.GetFileName(recipe)));
        }
        var nineMm = System.IO.Path.Combine(_dir.Path, "recipes", "9mm-luger.json");
        var json = JsonNode.Parse(File.ReadAllText(nineMm))!.AsObject();
        // A coarser sweep over the same range: 21 + 11 frames instead of 41 + 11, still a clear peak on this casing.
        json["overview"]!["autofocusCoarseStepMicrometres"] = 20;
        json["overview"]!["autofocusFineStepMicrometres"] = 4;
        var regions = json["regions"]!.AsArray();
        if (shippedBreechFaceOnly)
        {
            var breechFace = regions.First(r => (string?)r!["region"] == "BreechFace")!.DeepClone().AsObject();
            breechFace["lightings"] = new JsonArray(breechFace["lightings"]!.AsArray()[0]!.DeepClone());
            breechFace["zStepMicrometres"] = 4;
            json["regions"] = new JsonArray(breechFace);
            File.WriteAllText(nineMm, json.ToJsonString());
            return;
        }
        json["regions"] = new JsonArray(
            CutDown(regions, "BreechFace", -16, 16, 4),
            CutDown(regions, "EjectorMark", -8, 8, 8));
        File.WriteAllText(nineMm, json.ToJsonString());
    }

    /// <summary>
    /// The region with one lighting, a short stack, and QC that passes whatever the stack shows: these tests are
    /// about faults, not image quality (the polished-primer test runs the shipped recipe).
    /// </summary>
    private static JsonObject CutDown(JsonArray regions, string name, int from, int to, int step)
    {
        var region = regions.First(r => (string?)r!["region"] == name)!.DeepClone().AsObject();
        region["lightings"] = new JsonArray(region["lightings"]!.AsArray()[0]!.DeepClone());
        region["zRangeMicrometres"] = new JsonObject { ["from"] = from, ["to"] = to };
        region["zStepMicrometres"] = step;
        region["qc"]!["minFocusCoveragePercent"] = 0;
        region["qc"]!["minDepthRangeMicrometres"] = 0;
        return region;
    }

    /// <summary>Give this to <see cref="StationRig"/> as its firmware-config directory.</summary>
    public string Path => _dir.Path;

    /// <summary>Stack frames of the cut-down recipe: 9 breech-face slices, then 3 at the ejector mark.</summary>
    public const int BreechFaceSlices = 9;

    public const int StackFrames = 9 + 3;

    public void Dispose() => _dir.Dispose();
}
