using System.Security.Cryptography;
using System.Text.Json;

namespace Acquisition.Packaging;

/// <summary>
/// Checks a package against its own manifest and signature: every listed file's size and SHA-256, missing files,
/// files present but not listed, the signature over manifest.json, the binding of signer.json to its key id, and
/// (when given) that the signer is one the caller trusts. Every problem is named; nothing stops at the first.
/// </summary>
public static class PackageVerifier
{
    public static async Task<PackageVerification> VerifyAsync(string packagePath, IReadOnlyCollection<string>? trustedKeyIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packagePath);
        var problems = new List<string>();
        var root = Path.GetFullPath(packagePath);
        if (!Directory.Exists(root))
        {
            return Fail($"package directory {root} does not exist");
        }

        var manifestPath = Path.Combine(root, PackageFiles.Manifest);
        if (!File.Exists(manifestPath))
        {
            return Fail($"{PackageFiles.Manifest} is missing");
        }
        var manifestBytes = await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        PackageManifest? manifest = null;
        try
        {
            manifest = PackageManifest.Parse(manifestBytes);
        }
        catch (FormatException ex)
        {
            problems.Add(ex.Message);
        }

        VerifySignature(root, manifestBytes, trustedKeyIds, problems, cancellationToken);

        if (manifest is null)
        {
            return new PackageVerification(false, problems);
        }
        if (!PackagePaths.IsCaptureId(manifest.CaptureId))
        {
            problems.Add($"manifest.json captureId '{manifest.CaptureId}' is not a ULID");
        }
        var dirName = Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar));
        if (PackagePaths.IsCaptureId(dirName) && dirName != manifest.CaptureId)
        {
            problems.Add($"the package directory is named {dirName} but manifest.json is for capture {manifest.CaptureId}");
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in manifest.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!listed.Add(entry.Path))
            {
                problems.Add($"manifest.json lists {entry.Path} twice");
                continue;
            }
            try
            {
                PackagePaths.ThrowIfBadRelativePath(entry.Path, "path");
            }
            catch (ArgumentException)
            {
                problems.Add($"manifest.json lists an unsafe path '{entry.Path}'");
                continue;
            }
            var full = Path.Combine(root, entry.Path.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(full))
            {
                problems.Add($"{entry.Path} is listed in the manifest but missing");
                continue;
            }
            var size = new FileInfo(full).Length;
            if (size != entry.Size)
            {
                problems.Add($"{entry.Path} has {size} bytes, the manifest says {entry.Size}");
            }
            string actual;
            await using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }
            if (!string.Equals(actual, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{entry.Path} has SHA-256 {actual}, the manifest says {entry.Sha256} (content changed)");
            }
        }
        // An original carries its capture record, a supplement its correction record; neither may pose as the other.
        var record = manifest.SupplementOf is null ? PackageFiles.Capture : PackageFiles.Correction;
        var foreign = manifest.SupplementOf is null ? PackageFiles.Correction : PackageFiles.Capture;
        if (listed.Contains(foreign))
        {
            problems.Add(manifest.SupplementOf is null
                ? $"manifest.json lists {foreign} but has no supplementOf: a correction record belongs only in a supplement"
                : $"manifest.json is a supplement of {manifest.SupplementOf} but lists {foreign}: a supplement carries a correction.json, never a capture record");
        }
        foreach (var required in new[] { record, PackageFiles.Signer })
        {
            if (!listed.Contains(required))
            {
                problems.Add($"manifest.json does not list {required}");
            }
        }
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var rel = PackagePaths.Relative(root, file);
            if (rel is PackageFiles.Manifest or PackageFiles.Signature)
            {
                continue;
            }
            if (!listed.Contains(rel))
            {
                problems.Add($"{rel} is present but not listed in the manifest (an extra file)");
            }
        }
        return new PackageVerification(problems.Count == 0, problems);

        static PackageVerification Fail(string problem) => new(false, [problem]);
    }

    private static void VerifySignature(string root, byte[] manifestBytes, IReadOnlyCollection<string>? trustedKeyIds, List<string> problems, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sigPath = Path.Combine(root, PackageFiles.Signature);
        var signerPath = Path.Combine(root, PackageFiles.Signer);
        if (!File.Exists(sigPath))
        {
            problems.Add($"{PackageFiles.Signature} is missing: the manifest is unsigned");
            return;
        }
        if (!File.Exists(signerPath))
        {
            problems.Add($"{PackageFiles.Signer} is missing: the signing key is unknown");
            return;
        }
        string keyId;
        string pem;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(signerPath));
            keyId = doc.RootElement.GetProperty("keyId").GetString() ?? throw new FormatException("keyId is null");
            pem = doc.RootElement.GetProperty("publicKeyPem").GetString() ?? throw new FormatException("publicKeyPem is null");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            problems.Add($"{PackageFiles.Signer} is not valid: {ex.Message}");
            return;
        }
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            problems.Add($"{PackageFiles.Signer} holds no valid EC public key: {ex.Message}");
            return;
        }
        var actualId = KeyIds.Of(key);
        if (actualId != keyId)
        {
            problems.Add($"{PackageFiles.Signer} names key {keyId} but its public key is {actualId}");
        }
        var signature = File.ReadAllBytes(sigPath);
        bool valid;
        try
        {
            valid = key.VerifyData(manifestBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            valid = false;
        }
        if (!valid)
        {
            problems.Add($"{PackageFiles.Signature} does not verify over {PackageFiles.Manifest} with key {actualId} (the manifest or the signature was altered)");
        }
        if (trustedKeyIds is not null && !trustedKeyIds.Contains(actualId, StringComparer.Ordinal))
        {
            problems.Add($"the package is signed by key {actualId}, which is not among the trusted station keys");
        }
    }
}
