namespace Acquisition.Uplink;

/// <summary>One blob of a capture artifact and the package file it comes from.</summary>
/// <param name="Digest">"sha256:" + lowercase hex.</param>
/// <param name="Size">Bytes.</param>
/// <param name="MediaType">The layer (or config) media type.</param>
/// <param name="RelativePath">Package-relative path of the file whose bytes this blob is.</param>
public sealed record ArtifactBlob(string Digest, long Size, string MediaType, string RelativePath)
{
    public string Hex => Digest["sha256:".Length..];
}
