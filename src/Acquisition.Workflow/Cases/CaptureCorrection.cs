using Acquisition.Packaging;

namespace Acquisition.Workflow.Cases;

/// <summary>A sealed correction supplement: where it is and what it says.</summary>
/// <param name="PackagePath">The supplement's own package directory under packages/.</param>
/// <param name="ManifestSha256">Lowercase hex SHA-256 of the supplement's manifest.json.</param>
public sealed record CaptureCorrection(string PackagePath, string ManifestSha256, CorrectionRecord Record);
