namespace Acquisition.Station.ControlApi;

/// <summary>The caller's credentials, set on each control-socket connection and visible to every request on it.</summary>
public interface IPeerCredentialsFeature
{
    PeerCredentials Credentials { get; }
}
