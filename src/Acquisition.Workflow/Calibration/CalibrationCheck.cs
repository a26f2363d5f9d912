using Acquisition.Core.Domain;

namespace Acquisition.Workflow.Calibration;

/// <summary>The outcome of checking the calibrations a capture needs.</summary>
/// <param name="Used">The newest record of each required kind that exists (valid or not).</param>
/// <param name="Missing">Required kinds with no record at all.</param>
/// <param name="Expired">Required kinds whose newest record has expired, with when.</param>
public sealed record CalibrationCheck(
    IReadOnlyList<CalibrationRecord> Used,
    IReadOnlyList<CalibrationKind> Missing,
    IReadOnlyList<(CalibrationRecord Record, DateTimeOffset ExpiredAt)> Expired)
{
    public bool AllValid => Missing.Count == 0 && Expired.Count == 0;

    /// <summary>A sentence naming each missing or expired calibration and what to do.</summary>
    public string Describe()
    {
        var parts = Missing.Select(k => $"{k} calibration is missing")
            .Concat(Expired.Select(e => $"{e.Record.Kind} calibration '{e.Record.Id}' expired at {e.ExpiredAt:yyyy-MM-dd HH:mm}Z"));
        return string.Join("; ", parts) + (AllValid ? string.Empty : ". Run the calibration procedure in the service console.");
    }
}
