namespace Acquisition.Uplink;

/// <summary>What <see cref="Outbox.EnqueueAsync"/> did with a package.</summary>
public sealed record EnqueueResult(string CaptureId, EnqueueOutcome Outcome, IReadOnlyList<string> Destinations, IReadOnlyList<string> Problems, string? OciManifestDigest);
