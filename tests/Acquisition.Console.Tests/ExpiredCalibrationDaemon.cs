namespace Acquisition.Console.Tests;

/// <summary>The sim-profile daemon with a flat-field validity of one second: its seeded flat-field record expires at once.</summary>
public sealed class ExpiredCalibrationDaemon : StationDaemon
{
    protected override IEnumerable<string> ExtraArguments => ["--Station:Calibration:Validity:FlatField=00:00:01"];
}
