namespace Acquisition.Workflow.Recipes;

/// <summary>One thing wrong in a configuration file: where (file and JSON path) and what, with the allowed values.</summary>
public sealed record ConfigurationProblem(string File, string JsonPath, string Message)
{
    public override string ToString() => $"{File}: {JsonPath}: {Message}";
}
