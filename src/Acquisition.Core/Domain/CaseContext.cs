namespace Acquisition.Core.Domain;

/// <summary>The case the next capture belongs to, as the technician entered it.</summary>
public sealed record CaseContext
{
    /// <summary>Originating agency identifier (ORI), e.g. "TX2270000".</summary>
    public required string Agency { get; init; }
    public required string CaseNumber { get; init; }
    public required string Exhibit { get; init; }
    public required string Item { get; init; }
    public required string Calibre { get; init; }
    public required string OperatorId { get; init; }
    public DateOnly? RecoveryDate { get; init; }
    public string? RecoveryLocation { get; init; }
    public SearchProtocolFlags SearchProtocol { get; init; } = new();
}
