namespace Acquisition.Packaging;

/// <summary>The fixed file names of a sealed package.</summary>
public static class PackageFiles
{
    public const string Capture = "capture.json";
    public const string Manifest = "manifest.json";
    public const string Signature = "manifest.sig";
    public const string Signer = "signer.json";

    /// <summary>The record of a correction supplement (docs/packaging.md, "Corrections").</summary>
    public const string Correction = "correction.json";
    public const string ManifestSchema = "acquisition.manifest/v1";
    public const string CaptureSchema = "acquisition.capture/v1";
    public const string CorrectionSchema = "acquisition.correction/v1";

    /// <summary>True for the files the builder writes itself at sealing; payload may not use these names.</summary>
    public static bool IsReserved(string relativePath) =>
        relativePath is Capture or Manifest or Signature or Signer or Correction;
}
