using Acquisition.Core.Domain;
using Acquisition.Core.Station;

namespace Acquisition.Core.Control;

/// <summary>GET /status: everything a service engineer checks first.</summary>
/// <param name="At">The station's clock (UTC) when the report was made; expiry is judged against it.</param>
/// <param name="DoorOpen">Null when the station has no door switch.</param>
/// <param name="Case">The current case context, or null when none is set.</param>
public sealed record StationStatusReport(
    StationState State,
    string StationId,
    string SoftwareVersion,
    DateTimeOffset At,
    StageReport Stage,
    bool? DoorOpen,
    LightsReport Lights,
    CameraReport Camera,
    IReadOnlyList<CalibrationValidity> Calibrations,
    OutboxSummary Outbox,
    CaseContext? Case = null,
    string? FaultReason = null);
