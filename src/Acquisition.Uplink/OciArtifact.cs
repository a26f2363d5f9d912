using System.Security.Cryptography;
using System.Text.Json;
using Acquisition.Packaging;

namespace Acquisition.Uplink;

/// <summary>
/// A capture as one OCI artifact: config = capture.json, layers = every package file (sorted by path, each with its
/// title annotation), tag = capture id. The manifest bytes are deterministic and are recorded in the outbox at
/// enqueue, so the copy on the server can be checked byte for byte against them.
/// </summary>
public sealed class OciArtifact
{
    private OciArtifact(string captureId, byte[] manifestBytes, ArtifactBlob config, IReadOnlyList<ArtifactBlob> layers)
    {
        CaptureId = captureId;
        ManifestBytes = manifestBytes;
        ManifestDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
        Config = config;
        Layers = layers;
    }

    public string CaptureId { get; }
    public byte[] ManifestBytes { get; }
    public string ManifestDigest { get; }
    public ArtifactBlob Config { get; }
    public IReadOnlyList<ArtifactBlob> Layers { get; }

    /// <summary>Distinct blobs in upload order: layers by path, then the config if it is not already a layer.</summary>
    public IReadOnlyList<ArtifactBlob> DistinctBlobs() =>
        Layers.Append(Config).DistinctBy(b => b.Digest).ToArray();

    /// <summary>Builds the artifact from a sealed package. Sizes and digests come from the (signed) manifest.</summary>
    public static async Task<OciArtifact> FromPackageAsync(string packagePath, CancellationToken cancellationToken)
    {
        var manifestBytes = await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Manifest), cancellationToken).ConfigureAwait(false);
        var manifest = PackageManifest.Parse(manifestBytes);
        var captureBytes = await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Capture), cancellationToken).ConfigureAwait(false);
        var capture = CaptureSummary.Parse(captureBytes);
        var sigBytes = await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Signature), cancellationToken).ConfigureAwait(false);

        var layers = new List<ArtifactBlob>();
        foreach (var f in manifest.Files)
        {
            layers.Add(new ArtifactBlob("sha256:" + f.Sha256.ToLowerInvariant(), f.Size, f.MediaType, f.Path));
        }
        layers.Add(Blob(manifestBytes, PackageMediaTypes.Manifest, PackageFiles.Manifest));
        layers.Add(Blob(sigBytes, PackageMediaTypes.Signature, PackageFiles.Signature));
        layers.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        var config = layers.Single(l => l.RelativePath == PackageFiles.Capture) with { MediaType = PackageMediaTypes.Capture };

        string? keyId = null;
        var signerPath = Path.Combine(packagePath, PackageFiles.Signer);
        if (File.Exists(signerPath))
        {
            using var signer = JsonDocument.Parse(await File.ReadAllBytesAsync(signerPath, cancellationToken).ConfigureAwait(false));
            keyId = signer.RootElement.TryGetProperty("keyId", out var k) ? k.GetString() : null;
        }

        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [OciMediaTypes.CaptureIdAnnotation] = manifest.CaptureId,
            [OciMediaTypes.StationIdAnnotation] = manifest.StationId,
            [OciMediaTypes.CreatedAnnotation] = manifest.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (capture.CaseNumber is not null)
        {
            annotations[OciMediaTypes.CaseNumberAnnotation] = capture.CaseNumber;
        }
        if (capture.Calibre is not null)
        {
            annotations[OciMediaTypes.CalibreAnnotation] = capture.Calibre;
        }
        if (manifest.SupplementOf is not null)
        {
            annotations[OciMediaTypes.SupplementOfAnnotation] = manifest.SupplementOf;
        }
        if (keyId is not null)
        {
            annotations[OciMediaTypes.SignerKeyIdAnnotation] = keyId;
        }
        return new OciArtifact(manifest.CaptureId, Serialize(config, layers, annotations), config, layers);
    }

    /// <summary>Re-reads an artifact from the manifest bytes recorded in the outbox.</summary>
    public static OciArtifact FromManifestBytes(string captureId, byte[] manifestBytes)
    {
        using var doc = JsonDocument.Parse(manifestBytes);
        var root = doc.RootElement;
        var configEl = root.GetProperty("config");
        var config = new ArtifactBlob(configEl.GetProperty("digest").GetString()!, configEl.GetProperty("size").GetInt64(), configEl.GetProperty("mediaType").GetString()!, PackageFiles.Capture);
        var layers = root.GetProperty("layers").EnumerateArray().Select(l => new ArtifactBlob(
            l.GetProperty("digest").GetString()!,
            l.GetProperty("size").GetInt64(),
            l.GetProperty("mediaType").GetString()!,
            l.GetProperty("annotations").GetProperty(OciMediaTypes.TitleAnnotation).GetString()!)).ToArray();
        return new OciArtifact(captureId, manifestBytes, config, layers);
    }

    private static ArtifactBlob Blob(byte[] bytes, string mediaType, string path) =>
        new("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength, mediaType, path);

    private static byte[] Serialize(ArtifactBlob config, IReadOnlyList<ArtifactBlob> layers, SortedDictionary<string, string> annotations)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.ImageManifest);
            w.WriteString("artifactType", OciMediaTypes.CasingArtifact);
            w.WritePropertyName("config");
            WriteDescriptor(w, config, null);
            w.WriteStartArray("layers");
            foreach (var l in layers)
            {
                WriteDescriptor(w, l, l.RelativePath);
            }
            w.WriteEndArray();
            w.WriteStartObject("annotations");
            foreach (var (k, v) in annotations)
            {
                w.WriteString(k, v);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteDescriptor(Utf8JsonWriter w, ArtifactBlob b, string? title)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", b.MediaType);
        w.WriteString("digest", b.Digest);
        w.WriteNumber("size", b.Size);
        if (title is not null)
        {
            w.WriteStartObject("annotations");
            w.WriteString(OciMediaTypes.TitleAnnotation, title);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
