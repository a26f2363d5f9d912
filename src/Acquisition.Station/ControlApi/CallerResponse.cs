namespace Acquisition.Station.ControlApi;

/// <summary>GET /whoami: the OS identity the station records for this caller.</summary>
public sealed record CallerResponse(string User, uint Uid, uint Gid, int Pid);
