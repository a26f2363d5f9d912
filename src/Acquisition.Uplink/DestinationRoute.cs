namespace Acquisition.Uplink;

/// <summary>Which captures a destination receives.</summary>
public enum DestinationRoute
{
    /// <summary>Every complete capture (the national server, the local OCI layout).</summary>
    All,

    /// <summary>Only captures with at least one IBIN search-protocol flag set (the international exchange).</summary>
    SearchProtocolFlagged,
}
