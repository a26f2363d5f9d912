using System.Security.Cryptography;

namespace Acquisition.Packaging;

/// <summary>
/// Verifies a correction supplement: the supplement itself as a package (every file hash, its signature, its signer),
/// its correction.json against the correction rules, that correction.json and manifest.json agree on both ids, and
/// that the original it references exists under <c>packages/</c>, still verifies, and has exactly the manifest.json
/// (SHA-256) the correction names. Every problem is named; nothing stops at the first.
/// </summary>
public static class CorrectionVerifier
{
    /// <param name="supplementPath">The supplement's package directory.</param>
    /// <param name="packagesDirectory">Where the original is looked up, as <c>&lt;packagesDirectory&gt;/&lt;originalId&gt;</c>.</param>
    /// <param name="trustedKeyIds">When given, both packages must be signed by one of these keys.</param>
    public static async Task<PackageVerification> VerifyAsync(string supplementPath, string packagesDirectory, IReadOnlyCollection<string>? trustedKeyIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(supplementPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(packagesDirectory);
        var own = await PackageVerifier.VerifyAsync(supplementPath, trustedKeyIds, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>(own.Problems);
        PackageManifest manifest;
        try
        {
            manifest = PackageManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(supplementPath, PackageFiles.Manifest), cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            // PackageVerifier has already named it.
            return new PackageVerification(false, problems);
        }
        if (manifest.SupplementOf is null)
        {
            problems.Add($"package {manifest.CaptureId} is not a supplement: its manifest.json has no supplementOf");
            return new PackageVerification(false, problems);
        }
        CorrectionRecord correction;
        try
        {
            correction = CorrectionRecord.Parse(await File.ReadAllBytesAsync(Path.Combine(supplementPath, PackageFiles.Correction), cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            problems.Add($"{PackageFiles.Correction} cannot be read: {ex.Message}");
            return new PackageVerification(false, problems);
        }
        problems.AddRange(correction.Problems().Select(p => $"{PackageFiles.Correction}: {p}"));
        if (correction.CorrectionId != manifest.CaptureId)
        {
            problems.Add($"{PackageFiles.Correction} is for correction {correction.CorrectionId}, but the package is {manifest.CaptureId}");
        }
        if (correction.OriginalCaptureId != manifest.SupplementOf)
        {
            problems.Add($"{PackageFiles.Correction} corrects capture {correction.OriginalCaptureId}, but manifest.json says supplementOf {manifest.SupplementOf}");
        }
        if (!PackagePaths.IsCaptureId(manifest.SupplementOf))
        {
            return new PackageVerification(false, problems);
        }
        var originalPath = Path.Combine(packagesDirectory, manifest.SupplementOf);
        var originalManifest = Path.Combine(originalPath, PackageFiles.Manifest);
        if (!File.Exists(originalManifest))
        {
            problems.Add($"the original package {manifest.SupplementOf} is not at {originalPath}: a correction must reference an existing sealed package");
            return new PackageVerification(false, problems);
        }
        var actual = await ManifestSha256Async(originalPath, cancellationToken).ConfigureAwait(false);
        if (actual != correction.OriginalManifestSha256)
        {
            problems.Add($"the original {manifest.SupplementOf} has manifest.json SHA-256 {actual}, but the correction references {correction.OriginalManifestSha256}: it does not correct this package");
        }
        var original = await PackageVerifier.VerifyAsync(originalPath, trustedKeyIds, cancellationToken).ConfigureAwait(false);
        problems.AddRange(original.Problems.Select(p => $"original {manifest.SupplementOf}: {p}"));
        return new PackageVerification(problems.Count == 0, problems);
    }

    /// <summary>Lowercase hex SHA-256 of a package's manifest.json: the exact signed bytes a correction references.</summary>
    public static async Task<string> ManifestSha256Async(string packagePath, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Manifest), cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
