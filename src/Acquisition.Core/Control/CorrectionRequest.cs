namespace Acquisition.Core.Control;

/// <summary>
/// POST /captures/{captureId}/corrections: the case fields to correct (capture.json names: agency, caseNumber,
/// exhibit, item, recoveryDate, recoveryLocation) with their new values, and why. The operator is the caller's OS user.
/// </summary>
/// <param name="Fields">Field name to new value; null or "" clears an optional field.</param>
public sealed record CorrectionRequest(IReadOnlyDictionary<string, string?> Fields, string Reason);
