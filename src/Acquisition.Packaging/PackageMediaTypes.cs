namespace Acquisition.Packaging;

/// <summary>The media types of package files, as fixed by the package contract (docs/packaging.md).</summary>
public static class PackageMediaTypes
{
    public const string Capture = "application/vnd.acquisition.capture.v1+json";
    public const string Correction = "application/vnd.acquisition.correction.v1+json";
    public const string Png = "image/png";
    public const string X3p = "application/vnd.iso.5436-2.x3p+zip";
    public const string Json = "application/json";
    public const string Signature = "application/vnd.acquisition.signature.v1+der";
    public const string Manifest = "application/vnd.acquisition.manifest.v1+json";
    public const string Signer = "application/vnd.acquisition.signer.v1+json";
    public const string OctetStream = "application/octet-stream";

    /// <summary>The contract's media type for a package-relative path, by its name and extension.</summary>
    public static string ForPath(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        switch (relativePath)
        {
            case PackageFiles.Capture: return Capture;
            case PackageFiles.Correction: return Correction;
            case PackageFiles.Manifest: return Manifest;
            case PackageFiles.Signature: return Signature;
            case PackageFiles.Signer: return Signer;
        }
        return Path.GetExtension(relativePath).ToLowerInvariant() switch
        {
            ".png" => Png,
            ".x3p" => X3p,
            ".json" => Json,
            _ => OctetStream,
        };
    }
}
