namespace Acquisition.Workflow.Cases;

/// <summary>A correction was refused before anything was written; every problem is named with what to do.</summary>
public sealed class CaptureCorrectionException : Exception
{
    public CaptureCorrectionException(CaptureCorrectionFailure failure, IReadOnlyList<string> problems)
        : base("The correction was refused: " + string.Join("; ", problems))
    {
        Failure = failure;
        Problems = problems;
    }

    public CaptureCorrectionFailure Failure { get; }
    public IReadOnlyList<string> Problems { get; }
}
