namespace Acquisition.Uplink;

/// <summary>Media types and annotation keys of the capture artifact (docs/uplink.md).</summary>
public static class OciMediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string CasingArtifact = "application/vnd.acquisition.casing.v1+json";

    /// <summary>artifactType of a correction supplement; its manifest's subject is the corrected capture's manifest.</summary>
    public const string CorrectionArtifact = "application/vnd.acquisition.casing.correction.v1+json";
    public const string TitleAnnotation = "org.opencontainers.image.title";
    public const string CreatedAnnotation = "org.opencontainers.image.created";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    public const string CaptureIdAnnotation = "org.acquisition.capture.id";
    public const string CaseNumberAnnotation = "org.acquisition.case.number";
    public const string CalibreAnnotation = "org.acquisition.case.calibre";
    public const string StationIdAnnotation = "org.acquisition.station.id";
    public const string SupplementOfAnnotation = "org.acquisition.supplement-of";
    public const string SignerKeyIdAnnotation = "org.acquisition.signer.key-id";

    /// <summary>On a correction: its number among the corrections of the original (1, 2, ...), which also names its tag.</summary>
    public const string CorrectionSequenceAnnotation = "org.acquisition.correction.sequence";

    /// <summary>The tag of correction <paramref name="sequence"/> of <paramref name="originalCaptureId"/>.</summary>
    public static string CorrectionTag(string originalCaptureId, int sequence) =>
        originalCaptureId + "-correction-" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The OCI 1.1 referrers tag schema: where a registry without the referrers API keeps the index of the manifests
    /// whose subject is <paramref name="subjectDigest"/> ("sha256:abc..." is listed under the tag "sha256-abc...").
    /// </summary>
    public static string ReferrersFallbackTag(string subjectDigest) => subjectDigest.Replace(':', '-');
}
