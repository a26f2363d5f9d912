namespace Acquisition.Imaging.X3p;

/// <summary>
/// ISO 5436-2 Record2 metadata. Dates carry their UTC offset; a file without one (such as the Fadul files) is read
/// as UTC and <see cref="DateHadOffset"/> says so.
/// </summary>
public sealed record X3pRecord2(
    DateTimeOffset Date,
    string Creator,
    X3pInstrument Instrument,
    DateTimeOffset CalibrationDate,
    string ProbingSystemType,
    string ProbingSystemIdentification,
    string? Comment = null)
{
    /// <summary>False when the file's date had no time-zone designator and was assumed UTC.</summary>
    public bool DateHadOffset { get; init; } = true;
}
