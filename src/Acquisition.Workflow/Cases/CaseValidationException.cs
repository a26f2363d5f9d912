namespace Acquisition.Workflow.Cases;

/// <summary>A case context was rejected; every bad field is named with what is allowed.</summary>
public sealed class CaseValidationException : Exception
{
    public CaseValidationException(IReadOnlyList<string> problems)
        : base("The case is not valid: " + string.Join("; ", problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
