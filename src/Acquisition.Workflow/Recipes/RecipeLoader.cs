using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Recipes;

/// <summary>
/// Loads firmware-config/calibres.json and firmware-config/recipes/*.json and validates every value, collecting all
/// problems (file, JSON path, the bad value and the allowed range) into one <see cref="RecipeValidationException"/>.
/// </summary>
public static class RecipeLoader
{
    public const string RecipeSchema = "acquisition.recipe/v1";
    public const string CalibreSchema = "acquisition.calibres/v1";

    /// <summary>Ring segments a recipe may name; the capture checks again against the ring actually fitted.</summary>
    public const int MaxRingSegments = 32;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Loads <c>calibres.json</c> and <c>recipes/*.json</c> from a firmware-config directory.</summary>
    public static CalibreTable LoadDirectory(string firmwareConfigDirectory)
    {
        var calibresPath = Path.Combine(firmwareConfigDirectory, "calibres.json");
        var recipesDir = Path.Combine(firmwareConfigDirectory, "recipes");
        var problems = new List<ConfigurationProblem>();
        if (!File.Exists(calibresPath))
        {
            problems.Add(new(calibresPath, "$", "file not found: the calibre table is required"));
        }
        if (!Directory.Exists(recipesDir))
        {
            problems.Add(new(recipesDir, "$", "directory not found: recipes/*.json are required"));
        }
        if (problems.Count > 0)
        {
            throw new RecipeValidationException(problems);
        }
        var recipeFiles = Directory.GetFiles(recipesDir, "*.json").Order(StringComparer.Ordinal)
            .Select(p => (p, File.ReadAllBytes(p))).ToList();
        return Load((calibresPath, File.ReadAllBytes(calibresPath)), recipeFiles);
    }

    /// <summary>Parses and validates from bytes (file names are for messages only).</summary>
    public static CalibreTable Load((string File, byte[] Bytes) calibreTable, IReadOnlyList<(string File, byte[] Bytes)> recipeFiles)
    {
        var problems = new List<ConfigurationProblem>();
        var recipes = new List<Recipe>();
        var recipePaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, bytes) in recipeFiles)
        {
            var dto = Parse<RecipeFile>(file, bytes, problems);
            if (dto is null)
            {
                continue;
            }
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var recipe = ValidateRecipe(file, sha, dto, problems);
            if (recipe is null)
            {
                continue;
            }
            var dup = recipes.FirstOrDefault(r => r.Name == recipe.Name);
            if (dup is not null)
            {
                problems.Add(new(file, "$.name", $"recipe name '{recipe.Name}' is also used by {dup.SourceFile}; names must be unique"));
                continue;
            }
            recipes.Add(recipe);
            recipePaths[recipe.Name] = file;
        }
        if (recipeFiles.Count == 0)
        {
            problems.Add(new("recipes/", "$", "no recipe files (*.json) found"));
        }

        var calibres = new List<CalibreEntry>();
        var table = Parse<CalibreTableFile>(calibreTable.File, calibreTable.Bytes, problems);
        if (table is not null)
        {
            // A broken recipe would also make every calibre that names it "unknown": report only the cause.
            calibres = ValidateCalibres(calibreTable.File, table, recipes, recipePaths, problems, checkRecipeNames: problems.Count == 0);
        }
        if (problems.Count > 0)
        {
            throw new RecipeValidationException(problems);
        }
        return new CalibreTable(calibres, recipes);
    }

    private static T? Parse<T>(string file, byte[] bytes, List<ConfigurationProblem> problems)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json)
                ?? throw new JsonException("the file holds JSON null", "$", null, null);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1})" : string.Empty;
            // The serializer's message repeats the path and mentions CLR types; keep the first sentence.
            var message = System.Text.RegularExpressions.Regex.Replace(ex.Message.Split(". Path:", 2)[0],
                @"JSON deserialization for type '[^']*' was missing required properties including:", "missing required field(s):");
            message = System.Text.RegularExpressions.Regex.Replace(message, @" to type '[^']*'", string.Empty);
            problems.Add(new(file, ex.Path ?? "$", $"not valid: {message}{where}"));
            return null;
        }
    }

    private static Recipe? ValidateRecipe(string file, string sha, RecipeFile dto, List<ConfigurationProblem> problems)
    {
        var before = problems.Count;
        void Bad(string path, string message) => problems.Add(new(file, path, message));

        if (dto.Schema != RecipeSchema)
        {
            Bad("$.schema", $"is '{dto.Schema}'; expected '{RecipeSchema}'");
        }
        if (string.IsNullOrWhiteSpace(dto.Name))
        {
            Bad("$.name", "must not be empty");
        }
        Range(file, "$.version", dto.Version, 1, 1_000_000, problems);

        var o = dto.Overview;
        ValidateLighting(file, "$.overview.lighting", o.Lighting, problems);
        Range(file, "$.overview.exposureMilliseconds", o.ExposureMilliseconds, 0.01, 1000, problems);
        Range(file, "$.overview.downscale", o.Downscale, 1, 16, problems);
        Range(file, "$.overview.autofocusRangeMicrometres", o.AutofocusRangeMicrometres, 10, 5000, problems);
        Range(file, "$.overview.autofocusCoarseStepMicrometres", o.AutofocusCoarseStepMicrometres, 1, o.AutofocusRangeMicrometres / 4, problems);
        Range(file, "$.overview.autofocusFineStepMicrometres", o.AutofocusFineStepMicrometres, 0.1, o.AutofocusCoarseStepMicrometres, problems);
        Range(file, "$.overview.autofocusTimeLimitSeconds", o.AutofocusTimeLimitSeconds, 1, 300, problems);

        if (dto.Regions.Count == 0)
        {
            Bad("$.regions", "must list at least one region");
        }
        var regions = new List<RegionRecipe>();
        var seen = new HashSet<Region>();
        for (var i = 0; i < dto.Regions.Count; i++)
        {
            var r = dto.Regions[i];
            var p = $"$.regions[{i}]";
            if (!Enum.TryParse<Region>(r.Region, ignoreCase: false, out var region) || !Enum.IsDefined(region) || int.TryParse(r.Region, out _))
            {
                Bad($"{p}.region", $"'{r.Region}' is not a region; allowed: {string.Join(", ", Enum.GetNames<Region>())}");
                continue;
            }
            if (!seen.Add(region))
            {
                Bad($"{p}.region", $"{region} appears more than once");
            }
            Range(file, $"{p}.offsetFromPrimerCentreMicrometres.x", r.OffsetFromPrimerCentreMicrometres.X, -10000, 10000, problems);
            Range(file, $"{p}.offsetFromPrimerCentreMicrometres.y", r.OffsetFromPrimerCentreMicrometres.Y, -10000, 10000, problems);
            Range(file, $"{p}.zRangeMicrometres.from", r.ZRangeMicrometres.From, -2000, 2000, problems);
            Range(file, $"{p}.zRangeMicrometres.to", r.ZRangeMicrometres.To, -2000, 2000, problems);
            var span = r.ZRangeMicrometres.To - r.ZRangeMicrometres.From;
            if (span <= 0)
            {
                Bad($"{p}.zRangeMicrometres", string.Create(CultureInfo.InvariantCulture,
                    $"'to' ({r.ZRangeMicrometres.To}) must be above 'from' ({r.ZRangeMicrometres.From}): stacks run upwards, approached from below"));
            }
            Range(file, $"{p}.zStepMicrometres", r.ZStepMicrometres, 0.1, Math.Max(0.1, Math.Min(100, span)), problems);
            if (span > 0 && r.ZStepMicrometres > 0 && span / r.ZStepMicrometres > 2000)
            {
                Bad($"{p}.zStepMicrometres", string.Create(CultureInfo.InvariantCulture,
                    $"{r.ZStepMicrometres} gives {Math.Floor(span / r.ZStepMicrometres) + 1} slices; at most 2001 are allowed"));
            }
            if (r.Lightings.Count is < 1 or > 8)
            {
                Bad($"{p}.lightings", $"has {r.Lightings.Count} entries; allowed 1 to 8");
            }
            for (var j = 0; j < r.Lightings.Count; j++)
            {
                ValidateLighting(file, $"{p}.lightings[{j}]", r.Lightings[j], problems);
            }
            foreach (var dupName in r.Lightings.GroupBy(l => l.Name).Where(g => g.Count() > 1))
            {
                Bad($"{p}.lightings", $"lighting name '{dupName.Key}' is used twice; names become file names and must be unique");
            }
            Range(file, $"{p}.exposureMilliseconds", r.ExposureMilliseconds, 0.01, 1000, problems);
            Range(file, $"{p}.mask.outerRadiusMicrometres", r.Mask.OuterRadiusMicrometres, 50, 10000, problems);
            Range(file, $"{p}.mask.innerRadiusMicrometres", r.Mask.InnerRadiusMicrometres, 0, Math.Max(0, r.Mask.OuterRadiusMicrometres - 10), problems);
            Range(file, $"{p}.qc.minFocusCoveragePercent", r.Qc.MinFocusCoveragePercent, 0, 100, problems);
            Range(file, $"{p}.qc.maxSaturationPercent", r.Qc.MaxSaturationPercent, 0, 100, problems);
            Range(file, $"{p}.qc.maxRegistrationResidualPixels", r.Qc.MaxRegistrationResidualPixels, 0, 20, problems);
            Range(file, $"{p}.qc.minDepthRangeMicrometres", r.Qc.MinDepthRangeMicrometres, 0, 1000, problems);

            regions.Add(new RegionRecipe(
                region,
                new Micrometres(r.OffsetFromPrimerCentreMicrometres.X),
                new Micrometres(r.OffsetFromPrimerCentreMicrometres.Y),
                new Micrometres(r.ZRangeMicrometres.From),
                new Micrometres(r.ZRangeMicrometres.To),
                new Micrometres(r.ZStepMicrometres),
                r.Lightings.Select(ToStep).ToList(),
                TimeSpan.FromMilliseconds(r.ExposureMilliseconds),
                new RegionMask(new Micrometres(r.Mask.OuterRadiusMicrometres), new Micrometres(r.Mask.InnerRadiusMicrometres)),
                new RegionQcThresholds(r.Qc.MinFocusCoveragePercent, r.Qc.MaxSaturationPercent, r.Qc.MaxRegistrationResidualPixels,
                    new Micrometres(r.Qc.MinDepthRangeMicrometres))));
        }
        if (problems.Count > before)
        {
            return null;
        }
        return new Recipe(
            dto.Name,
            dto.Version,
            Path.GetFileName(file),
            sha,
            new OverviewRecipe(
                ToStep(o.Lighting),
                TimeSpan.FromMilliseconds(o.ExposureMilliseconds),
                o.Downscale,
                new Micrometres(o.AutofocusRangeMicrometres),
                new Micrometres(o.AutofocusCoarseStepMicrometres),
                new Micrometres(o.AutofocusFineStepMicrometres),
                TimeSpan.FromSeconds(o.AutofocusTimeLimitSeconds)),
            regions);
    }

    private static LightingStep ToStep(LightingFile l) => new(l.Name, l.Segments.ToList(), l.Intensity, l.Coaxial);

    private static void ValidateLighting(string file, string path, LightingFile l, List<ConfigurationProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(l.Name) || l.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            problems.Add(new(file, $"{path}.name", $"'{l.Name}' must be non-empty letters, digits, '-' or '_' (it becomes a file name)"));
        }
        for (var k = 0; k < l.Segments.Count; k++)
        {
            Range(file, $"{path}.segments[{k}]", l.Segments[k], 0, MaxRingSegments - 1, problems);
        }
        if (l.Segments.Distinct().Count() != l.Segments.Count)
        {
            problems.Add(new(file, $"{path}.segments", "lists a segment twice"));
        }
        Range(file, $"{path}.intensity", l.Intensity, 0, 1, problems);
        Range(file, $"{path}.coaxial", l.Coaxial, 0, 1, problems);
        if ((l.Segments.Count == 0 || l.Intensity == 0) && l.Coaxial == 0)
        {
            problems.Add(new(file, path, "lights nothing: give ring segments with an intensity above 0, or a coaxial level above 0"));
        }
    }

    private static List<CalibreEntry> ValidateCalibres(string file, CalibreTableFile dto, IReadOnlyList<Recipe> recipes, IReadOnlyDictionary<string, string> recipePaths, List<ConfigurationProblem> problems, bool checkRecipeNames)
    {
        if (dto.Schema != CalibreSchema)
        {
            problems.Add(new(file, "$.schema", $"is '{dto.Schema}'; expected '{CalibreSchema}'"));
        }
        if (dto.Calibres.Count == 0)
        {
            problems.Add(new(file, "$.calibres", "must list at least one calibre"));
        }
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<CalibreEntry>();
        for (var i = 0; i < dto.Calibres.Count; i++)
        {
            var c = dto.Calibres[i];
            var p = $"$.calibres[{i}]";
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                problems.Add(new(file, $"{p}.name", "must not be empty"));
                continue;
            }
            foreach (var n in c.Aliases.Prepend(c.Name))
            {
                var key = CalibreTable.Normalise(n);
                if (names.TryGetValue(key, out var owner) && owner != c.Name)
                {
                    problems.Add(new(file, p, $"name or alias '{n}' is already used by '{owner}'; a name must identify one calibre"));
                }
                names[key] = c.Name;
            }
            Range(file, $"{p}.primerDiameterMillimetres", c.PrimerDiameterMillimetres, 1, 10, problems);
            Range(file, $"{p}.caseHeadDiameterMillimetres", c.CaseHeadDiameterMillimetres, 3, 30, problems);
            if (c.PrimerDiameterMillimetres >= c.CaseHeadDiameterMillimetres)
            {
                problems.Add(new(file, $"{p}.primerDiameterMillimetres", "must be smaller than caseHeadDiameterMillimetres"));
            }
            var recipe = recipes.FirstOrDefault(r => r.Name == c.Recipe);
            if (checkRecipeNames && recipe is null)
            {
                problems.Add(new(file, $"{p}.recipe", $"'{c.Recipe}' is not a loaded recipe; known: {string.Join(", ", recipes.Select(r => $"'{r.Name}'"))}"));
            }
            var entry = new CalibreEntry(c.Name, c.Aliases.ToList(), Micrometres.FromMillimetres(c.PrimerDiameterMillimetres),
                Micrometres.FromMillimetres(c.CaseHeadDiameterMillimetres), c.Recipe);
            if (recipe is not null && c.CaseHeadDiameterMillimetres is >= 3 and <= 30)
            {
                CheckRegionsOnHeadFace(file, p, recipePaths[recipe.Name], recipe, entry, problems);
            }
            result.Add(entry);
        }
        return result;
    }

    /// <summary>
    /// A region too close to the rim leaves its z-stack nothing to register on but the rim's chamfer, whose blur
    /// changes with z and drags the slices off the casing unnoticed; refuse such a recipe when it is loaded rather
    /// than capture a stack that cannot be registered honestly. Reported against the recipe's region, naming the
    /// calibre, because either the region's offset or the calibre's head diameter is what is wrong.
    /// </summary>
    private static void CheckRegionsOnHeadFace(string calibreFile, string calibrePath, string recipeFile, Recipe recipe, CalibreEntry calibre, List<ConfigurationProblem> problems)
    {
        for (var i = 0; i < recipe.Regions.Count; i++)
        {
            var region = recipe.Regions[i];
            var field = HeadFaceGeometry.RegistrationFieldLimitFor(region, calibre);
            if (field >= HeadFaceGeometry.MinimumFieldOnHeadFaceMicrometres)
            {
                continue;
            }
            var distance = Math.Sqrt((region.OffsetX.Value * region.OffsetX.Value) + (region.OffsetY.Value * region.OffsetY.Value));
            problems.Add(new(recipeFile, $"$.regions[{i}].offsetFromPrimerCentreMicrometres", string.Create(CultureInfo.InvariantCulture,
                $"{region.Region} is centred {distance:0} µm from the primer centre, but on calibre '{calibre.Name}' (case head {calibre.CaseHeadDiameter.Value:0} µm across, " +
                $"{calibrePath} in {calibreFile}) the flat head face ends {HeadFaceGeometry.FlatFaceRadiusMicrometres(calibre):0} µm out " +
                $"({HeadFaceGeometry.RimClearanceMicrometres:0} µm inside the rim), leaving the region a registration field of {field:0} µm on it; " +
                $"at least {HeadFaceGeometry.MinimumFieldOnHeadFaceMicrometres:0} µm is needed to register the stack without following the rim. " +
                $"Move the region towards the primer centre, or correct the calibre's caseHeadDiameterMillimetres.")));
        }
    }

    private static void Range(string file, string path, double value, double min, double max, List<ConfigurationProblem> problems)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            problems.Add(new(file, path, string.Create(CultureInfo.InvariantCulture, $"{value} is out of range; allowed {min} to {max}")));
        }
    }
}
