namespace Acquisition.Uplink;

/// <summary>One manifest that refers to a subject (OCI 1.1 referrers), e.g. a correction of a capture.</summary>
/// <param name="Digest">The referrer's manifest digest.</param>
/// <param name="Size">The referrer's manifest size in bytes.</param>
/// <param name="ArtifactType">Its artifactType (<see cref="OciMediaTypes.CorrectionArtifact"/> for a correction).</param>
/// <param name="Annotations">Its manifest annotations (capture id, supplement-of, correction sequence, ...).</param>
public sealed record OciReferrer(string Digest, long Size, string? ArtifactType, IReadOnlyDictionary<string, string> Annotations);
