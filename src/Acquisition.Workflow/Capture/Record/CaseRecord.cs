using Acquisition.Core.Domain;

namespace Acquisition.Workflow.Capture.Record;

/// <summary>The case fields as capture.json carries them.</summary>
public sealed record CaseRecord(
    string Agency,
    string CaseNumber,
    string Exhibit,
    string Item,
    string Calibre,
    string OperatorId,
    DateOnly? RecoveryDate,
    string? RecoveryLocation)
{
    public static CaseRecord From(CaseContext c) =>
        new(c.Agency, c.CaseNumber, c.Exhibit, c.Item, c.Calibre, c.OperatorId, c.RecoveryDate, c.RecoveryLocation);
}
