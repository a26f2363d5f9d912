namespace Acquisition.Uplink;

/// <summary>One destination. Secrets are given as paths to private files, never inline.</summary>
public sealed class UplinkDestinationOptions
{
    /// <summary>Unique, stable name: the outbox keeps state per name ("national", "interpol", "usb").</summary>
    public string Name { get; set; } = "";

    public UplinkDestinationKind Kind { get; set; } = UplinkDestinationKind.OciLayout;

    public DestinationRoute Route { get; set; } = DestinationRoute.All;

    /// <summary>For <see cref="UplinkDestinationKind.OciLayout"/>: the layout directory.</summary>
    public string? LayoutPath { get; set; }

    /// <summary>For <see cref="UplinkDestinationKind.Registry"/>: e.g. https://registry.example.org.</summary>
    public string? RegistryUrl { get; set; }

    /// <summary>Repository name on the registry, e.g. "ballistics/station-07".</summary>
    public string Repository { get; set; } = "acquisition/captures";

    /// <summary>PEM bundle of the CA(s) to trust instead of the system store (pinning).</summary>
    public string? CaBundlePath { get; set; }

    /// <summary>PEM client certificate for mTLS, with <see cref="ClientKeyPath"/> (mode 0600).</summary>
    public string? ClientCertificatePath { get; set; }

    public string? ClientKeyPath { get; set; }

    /// <summary>A private file with one line "user:password".</summary>
    public string? BasicCredentialsFile { get; set; }

    /// <summary>A private file with one line: a static bearer token.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>Plain HTTP is refused unless set (test rigs on loopback only).</summary>
    public bool AllowPlainHttp { get; set; }
}
