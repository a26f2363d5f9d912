namespace Acquisition.Workflow.Recipes;

/// <summary>The technician's calibre is not in the calibre table. Lists the closest known names so it can be corrected.</summary>
public sealed class UnknownCalibreException : Exception
{
    public UnknownCalibreException(string calibre, IReadOnlyList<string> closeMatches)
        : base(closeMatches.Count == 0
            ? $"Unknown calibre '{calibre}': it is not in firmware-config/calibres.json. Enter a listed calibre or add it (with a recipe) to the table."
            : $"Unknown calibre '{calibre}'. Did you mean: {string.Join(", ", closeMatches.Select(m => $"'{m}'"))}? Calibres come from firmware-config/calibres.json.")
    {
        Calibre = calibre;
        CloseMatches = closeMatches;
    }

    public string Calibre { get; }

    public IReadOnlyList<string> CloseMatches { get; }
}
