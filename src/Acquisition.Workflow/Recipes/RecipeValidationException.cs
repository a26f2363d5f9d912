namespace Acquisition.Workflow.Recipes;

/// <summary>Recipes or the calibre table are unusable; every problem found is listed, not only the first.</summary>
public sealed class RecipeValidationException : Exception
{
    public RecipeValidationException(IReadOnlyList<ConfigurationProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<ConfigurationProblem> Problems { get; }

    private static string Describe(IReadOnlyList<ConfigurationProblem> problems) =>
        $"{problems.Count} problem(s) in the capture recipes or calibre table; fix them and restart:"
        + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
}
