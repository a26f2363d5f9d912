namespace Acquisition.Uplink;

/// <summary>A manifest named by an OCI layout's index.json.</summary>
/// <param name="SubjectDigest">The manifest's OCI 1.1 subject (what it refers to, e.g. the capture a correction corrects); null when it has none.</param>
public sealed record OciLayoutManifestEntry(string? Tag, string Digest, long Size, string? ArtifactType = null, string? SubjectDigest = null);
