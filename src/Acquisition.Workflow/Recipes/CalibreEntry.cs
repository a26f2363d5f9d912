using Acquisition.Core.Units;

namespace Acquisition.Workflow.Recipes;

/// <summary>One row of the calibre table.</summary>
/// <param name="Name">The canonical name, e.g. "9mm Luger".</param>
/// <param name="Aliases">Other names technicians use, e.g. "9x19mm Parabellum".</param>
/// <param name="PrimerDiameter">Nominal primer-cup diameter: the primer locator checks the detected circle against it.</param>
/// <param name="CaseHeadDiameter">Nominal case-head (rim) diameter.</param>
/// <param name="Recipe">The recipe name (its "name" field) used for this calibre.</param>
public sealed record CalibreEntry(
    string Name,
    IReadOnlyList<string> Aliases,
    Micrometres PrimerDiameter,
    Micrometres CaseHeadDiameter,
    string Recipe);
