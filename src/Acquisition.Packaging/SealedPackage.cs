namespace Acquisition.Packaging;

/// <summary>A package after the atomic rename into packages/.</summary>
/// <param name="Path">Absolute path of the package directory.</param>
/// <param name="CaptureId">The ULID that names it.</param>
/// <param name="ManifestSha256">Lowercase hex SHA-256 of manifest.json, the bytes the signature covers.</param>
public sealed record SealedPackage(string Path, string CaptureId, string ManifestSha256)
{
    /// <summary>Set when the package is sealed but a directory fsync after its rename failed; the message says what that risks.</summary>
    public string? DurabilityWarning { get; init; }
}
