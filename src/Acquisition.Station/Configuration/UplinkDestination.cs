namespace Acquisition.Station.Configuration;

/// <summary>One central server that receives sealed evidence packages.</summary>
public sealed class UplinkDestination
{
    public string Name { get; set; } = "";

    /// <summary>Base URL of the server (https; http only to a loopback host for tests).</summary>
    public string Url { get; set; } = "";
}
