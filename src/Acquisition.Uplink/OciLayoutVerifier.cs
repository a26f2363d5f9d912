using System.Security.Cryptography;
using System.Text.Json;

namespace Acquisition.Uplink;

/// <summary>
/// The integrity checks a receiver runs on an OCI layout: oci-layout present, index.json valid, and for every manifest
/// it names, the manifest blob and every config/layer blob present with the right size and SHA-256.
/// </summary>
public static class OciLayoutVerifier
{
    public static async Task<OciLayoutVerification> VerifyAsync(string layoutPath, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var manifests = new List<OciLayoutManifestEntry>();
        if (!File.Exists(Path.Combine(layoutPath, OciLayoutDestination.LayoutFileName)))
        {
            problems.Add("oci-layout is missing");
        }
        var indexPath = Path.Combine(layoutPath, OciLayoutDestination.IndexFileName);
        if (!File.Exists(indexPath))
        {
            problems.Add("index.json is missing");
            return new OciLayoutVerification(false, manifests, problems);
        }
        JsonDocument index;
        try
        {
            index = JsonDocument.Parse(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException ex)
        {
            problems.Add($"index.json is not valid JSON: {ex.Message}");
            return new OciLayoutVerification(false, manifests, problems);
        }
        using (index)
        {
            foreach (var m in index.RootElement.GetProperty("manifests").EnumerateArray())
            {
                var digest = m.GetProperty("digest").GetString()!;
                var size = m.GetProperty("size").GetInt64();
                string? tag = m.TryGetProperty("annotations", out var a) && a.TryGetProperty(OciMediaTypes.RefNameAnnotation, out var t) ? t.GetString() : null;
                var bytes = await CheckBlobAsync(layoutPath, digest, size, $"manifest of {tag}", problems, cancellationToken, keep: true).ConfigureAwait(false);
                if (bytes is null)
                {
                    manifests.Add(new OciLayoutManifestEntry(tag, digest, size));
                    continue;
                }
                using var manifest = JsonDocument.Parse(bytes);
                var artifactType = manifest.RootElement.TryGetProperty("artifactType", out var at) ? at.GetString() : null;
                var subject = manifest.RootElement.TryGetProperty("subject", out var sub) && sub.TryGetProperty("digest", out var sd) ? sd.GetString() : null;
                manifests.Add(new OciLayoutManifestEntry(tag, digest, size, artifactType, subject));

                var config = manifest.RootElement.GetProperty("config");
                await CheckBlobAsync(layoutPath, config.GetProperty("digest").GetString()!, config.GetProperty("size").GetInt64(), $"config of {tag}", problems, cancellationToken).ConfigureAwait(false);
                foreach (var layer in manifest.RootElement.GetProperty("layers").EnumerateArray())
                {
                    var title = layer.TryGetProperty("annotations", out var la) && la.TryGetProperty(OciMediaTypes.TitleAnnotation, out var lt) ? lt.GetString() : "?";
                    await CheckBlobAsync(layoutPath, layer.GetProperty("digest").GetString()!, layer.GetProperty("size").GetInt64(), $"layer {title} of {tag}", problems, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        return new OciLayoutVerification(problems.Count == 0, manifests, problems);
    }

    private static async Task<byte[]?> CheckBlobAsync(string layout, string digest, long size, string what, List<string> problems, CancellationToken ct, bool keep = false)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal))
        {
            problems.Add($"{what}: unsupported digest {digest}");
            return null;
        }
        var path = Path.Combine(layout, "blobs", "sha256", digest[7..]);
        if (!File.Exists(path))
        {
            problems.Add($"{what}: blob {digest} is missing");
            return null;
        }
        var bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        if (bytes.LongLength != size)
        {
            problems.Add($"{what}: blob {digest} has {bytes.LongLength} bytes, expected {size}");
            return null;
        }
        var actual = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != digest)
        {
            problems.Add($"{what}: blob {digest} hashes to {actual}");
            return null;
        }
        return keep ? bytes : [];
    }
}
