namespace Acquisition.Uplink;

/// <summary>The OCI 1.1 <c>subject</c> descriptor of an artifact: the manifest it refers to (for a correction, the corrected capture's).</summary>
/// <param name="MediaType">The subject manifest's media type.</param>
/// <param name="Digest">"sha256:" + lowercase hex of the subject manifest's bytes.</param>
/// <param name="Size">The subject manifest's size in bytes.</param>
public sealed record OciSubject(string MediaType, string Digest, long Size);
