namespace Acquisition.Uplink;

/// <summary>A manifest named by an OCI layout's index.json.</summary>
public sealed record OciLayoutManifestEntry(string? Tag, string Digest, long Size);
