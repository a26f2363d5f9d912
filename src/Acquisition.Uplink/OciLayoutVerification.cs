namespace Acquisition.Uplink;

/// <summary>The outcome of <see cref="OciLayoutVerifier.VerifyAsync"/>.</summary>
public sealed record OciLayoutVerification(bool IsValid, IReadOnlyList<OciLayoutManifestEntry> Manifests, IReadOnlyList<string> Problems);
