namespace Acquisition.Workflow.Cases;

/// <summary>Why a correction was refused; the control API maps each to its status code.</summary>
public enum CaptureCorrectionFailure
{
    /// <summary>No sealed package with that capture id.</summary>
    UnknownCapture,

    /// <summary>The request is wrong: a field that cannot be corrected, a value the case rules reject, no reason.</summary>
    Invalid,

    /// <summary>The original no longer verifies: nothing is built on a damaged package.</summary>
    OriginalDoesNotVerify,
}
