namespace Acquisition.Station.ControlApi;

/// <summary>GET /status.</summary>
public sealed record StatusResponse(
    string StationId,
    string State,
    string Reason,
    DateTimeOffset Since,
    StageStatusDto Stage,
    LightsDto Lights,
    PanelDto Panel,
    string SoftwareVersion,
    DateTimeOffset StartedAt,
    double UptimeSeconds);
