namespace Acquisition.Uplink;

/// <summary>Media types and annotation keys of the capture artifact (docs/uplink.md).</summary>
public static class OciMediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string CasingArtifact = "application/vnd.acquisition.casing.v1+json";
    public const string TitleAnnotation = "org.opencontainers.image.title";
    public const string CreatedAnnotation = "org.opencontainers.image.created";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    public const string CaptureIdAnnotation = "org.acquisition.capture.id";
    public const string CaseNumberAnnotation = "org.acquisition.case.number";
    public const string CalibreAnnotation = "org.acquisition.case.calibre";
    public const string StationIdAnnotation = "org.acquisition.station.id";
    public const string SupplementOfAnnotation = "org.acquisition.supplement-of";
    public const string SignerKeyIdAnnotation = "org.acquisition.signer.key-id";
}
