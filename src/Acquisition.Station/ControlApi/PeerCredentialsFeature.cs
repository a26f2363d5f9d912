namespace Acquisition.Station.ControlApi;

public sealed class PeerCredentialsFeature(PeerCredentials credentials) : IPeerCredentialsFeature
{
    public PeerCredentials Credentials { get; } = credentials;
}
