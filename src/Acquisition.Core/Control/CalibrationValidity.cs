using Acquisition.Core.Domain;

namespace Acquisition.Core.Control;

/// <summary>The current record of one calibration kind and how long it stays valid.</summary>
/// <param name="RecordId">The record captures reference, e.g. "pixel-size-v3"; null when missing.</param>
/// <param name="WarningPeriod">How long before <paramref name="ValidUntil"/> the station starts warning (configuration).</param>
public sealed record CalibrationValidity(
    CalibrationKind Kind,
    CalibrationValidityStatus Status,
    string? RecordId,
    int? Version,
    DateTimeOffset? PerformedAt,
    string? PerformedBy,
    DateTimeOffset? ValidUntil,
    TimeSpan WarningPeriod);
