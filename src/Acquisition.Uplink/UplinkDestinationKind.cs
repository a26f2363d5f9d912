namespace Acquisition.Uplink;

public enum UplinkDestinationKind
{
    /// <summary>An OCI image layout directory on local disk or removable media (the embedded default).</summary>
    OciLayout,

    /// <summary>An OCI distribution registry reached over HTTPS.</summary>
    Registry,
}
