using Acquisition.Uplink;

namespace Acquisition.Station.Configuration;

/// <summary>
/// One place that receives sealed evidence packages: a registry (<see cref="Url"/>) or an OCI image layout directory
/// on local disk or removable media (<see cref="LayoutPath"/>); exactly one of the two. Secrets are paths to private
/// files (mode 0600), never inline values.
/// </summary>
public sealed class UplinkDestination
{
    /// <summary>Unique, stable name; the outbox keeps state per name. Letters, digits, '-', '_', '.'.</summary>
    public string Name { get; set; } = "";

    /// <summary>Base URL of a registry (https; http only to a loopback host for tests).</summary>
    public string? Url { get; set; }

    /// <summary>Absolute path of an OCI image layout directory (air-gapped exchange, removable media).</summary>
    public string? LayoutPath { get; set; }

    /// <summary>Repository on the registry; absent: acquisition/captures.</summary>
    public string? Repository { get; set; }

    /// <summary>All, or SearchProtocolFlagged: only captures with a search-protocol flag (the international exchange).</summary>
    public DestinationRoute Route { get; set; } = DestinationRoute.All;

    /// <summary>PEM bundle of the CA(s) trusted for this registry instead of the system store.</summary>
    public string? CaBundlePath { get; set; }

    /// <summary>PEM client certificate for mTLS, with <see cref="ClientKeyPath"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM private key of the client certificate (mode 0600).</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>Private file with one line "user:password" (basic auth, or the credentials of the token flow).</summary>
    public string? BasicCredentialsFile { get; set; }

    /// <summary>Private file with one line: a bearer token sent as is.</summary>
    public string? BearerTokenFile { get; set; }
}
