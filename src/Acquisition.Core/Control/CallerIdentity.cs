namespace Acquisition.Core.Control;

/// <summary>GET /whoami: the OS identity (from SO_PEERCRED) the station records in the audit log for this caller.</summary>
public sealed record CallerIdentity(string User, uint Uid, uint Gid, int Pid);
