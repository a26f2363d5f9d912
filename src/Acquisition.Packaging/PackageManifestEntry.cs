namespace Acquisition.Packaging;

/// <summary>One file listed in manifest.json.</summary>
/// <param name="Path">Package-relative, '/'-separated.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Lowercase hex.</param>
/// <param name="MediaType">From <see cref="PackageMediaTypes"/>.</param>
public sealed record PackageManifestEntry(string Path, long Size, string Sha256, string MediaType);
