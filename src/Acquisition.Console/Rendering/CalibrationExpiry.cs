using Acquisition.Core.Control;

namespace Acquisition.ServiceConsole.Rendering;

/// <summary>
/// Judges each calibration against the station's own clock in the status report (not this machine's), so the
/// verdict is the one the station applies to captures.
/// </summary>
internal static class CalibrationExpiry
{
    public static CalibrationValidityStatus Judge(CalibrationValidity c, DateTimeOffset stationNow)
    {
        CalibrationValidityStatus judged;
        if (c.ValidUntil is not { } until || c.RecordId is null)
        {
            judged = CalibrationValidityStatus.Missing;
        }
        else if (until <= stationNow)
        {
            judged = CalibrationValidityStatus.Expired;
        }
        else
        {
            judged = until - stationNow <= c.WarningPeriod ? CalibrationValidityStatus.Expiring : CalibrationValidityStatus.Valid;
        }
        // The station may know more (a record it distrusts): never show a better verdict than the station's.
        return (CalibrationValidityStatus)Math.Max((int)judged, (int)c.Status);
    }

    /// <summary>The warning text for an expiring, expired or missing calibration; null when it is fine.</summary>
    public static string? Warning(CalibrationValidity c, DateTimeOffset stationNow)
    {
        var name = CalibrationNames.Verb(c.Kind);
        var renew = CalibrationNames.RenewCommand(c.Kind);
        return Judge(c, stationNow) switch
        {
            CalibrationValidityStatus.Missing => $"calibration {name} is missing: captures refuse to start until '{renew}' has run.",
            CalibrationValidityStatus.Expired => $"calibration {name} ({c.RecordId}) EXPIRED {Format.Duration(stationNow - c.ValidUntil!.Value)} ago ({Format.Utc(c.ValidUntil)}): captures refuse to start. Run '{renew}'.",
            CalibrationValidityStatus.Expiring => $"calibration {name} ({c.RecordId}) expires in {Format.Duration(c.ValidUntil!.Value - stationNow)} ({Format.Utc(c.ValidUntil)}). Plan '{renew}'.",
            _ => null,
        };
    }
}
