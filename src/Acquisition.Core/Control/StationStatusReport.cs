using Acquisition.Core.Domain;

namespace Acquisition.Core.Control;

/// <summary>
/// GET /status. The first ten members are what the foundation's station host already serves; the members after
/// them are what service work adds (issue 8) and are null from a station that does not report them yet.
/// </summary>
/// <param name="State">The station state machine's state: "Starting", "Homing", "Ready", "Capturing", "Fault", "Stopping".</param>
/// <param name="Reason">Why the station entered that state.</param>
/// <param name="Since">When it entered it (UTC).</param>
/// <param name="At">The station's clock (UTC) when the report was made; calibration expiry is judged against it.</param>
/// <param name="Calibrations">Each calibration kind's current record and validity.</param>
/// <param name="Outbox">The uplink backlog.</param>
/// <param name="Case">The current case context, or null when none is set.</param>
public sealed record StationStatusReport(
    string StationId,
    string State,
    string? Reason,
    DateTimeOffset Since,
    StageReport Stage,
    LightsReport Lights,
    PanelReport? Panel,
    string SoftwareVersion,
    DateTimeOffset? StartedAt,
    double? UptimeSeconds,
    DateTimeOffset? At = null,
    CameraReport? Camera = null,
    IReadOnlyList<CalibrationValidity>? Calibrations = null,
    OutboxSummary? Outbox = null,
    CaseContext? Case = null);
