using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Acquisition.Packaging;

namespace Acquisition.Uplink;

/// <summary>
/// A capture as one OCI artifact: config = capture.json, layers = every package file (sorted by path, each with its
/// title annotation), tag = capture id. A correction supplement is an artifact of its own: config = correction.json,
/// artifactType = <see cref="OciMediaTypes.CorrectionArtifact"/>, a <c>subject</c> descriptor naming the corrected
/// capture's manifest (OCI 1.1 referrers), tag = <c>&lt;originalId&gt;-correction-&lt;n&gt;</c>. The manifest bytes
/// are deterministic and are recorded in the outbox at enqueue, so the copy on the server can be checked byte for
/// byte against them.
/// </summary>
public sealed class OciArtifact
{
    private OciArtifact(string captureId, string tag, string artifactType, OciSubject? subject, byte[] manifestBytes, ArtifactBlob config, IReadOnlyList<ArtifactBlob> layers)
    {
        CaptureId = captureId;
        Tag = tag;
        ArtifactType = artifactType;
        Subject = subject;
        ManifestBytes = manifestBytes;
        ManifestDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
        Config = config;
        Layers = layers;
    }

    /// <summary>The package's own id (for a correction, the supplement's id, not the original's).</summary>
    public string CaptureId { get; }

    /// <summary>The tag it is pushed under: the capture id, or <c>&lt;originalId&gt;-correction-&lt;n&gt;</c>.</summary>
    public string Tag { get; }
    public string ArtifactType { get; }

    /// <summary>For a correction, the corrected capture's manifest; null for a capture.</summary>
    public OciSubject? Subject { get; }
    public byte[] ManifestBytes { get; }
    public string ManifestDigest { get; }
    public ArtifactBlob Config { get; }
    public IReadOnlyList<ArtifactBlob> Layers { get; }

    /// <summary>Distinct blobs in upload order: layers by path, then the config if it is not already a layer.</summary>
    public IReadOnlyList<ArtifactBlob> DistinctBlobs() =>
        Layers.Append(Config).DistinctBy(b => b.Digest).ToArray();

    /// <summary>Builds the artifact from a sealed capture package. Sizes and digests come from the (signed) manifest.</summary>
    public static async Task<OciArtifact> FromPackageAsync(string packagePath, CancellationToken cancellationToken)
    {
        var (manifestBytes, manifest, layers, keyId) = await ReadPackageAsync(packagePath, cancellationToken).ConfigureAwait(false);
        if (manifest.SupplementOf is not null)
        {
            throw new InvalidOperationException($"Package {manifest.CaptureId} is a supplement of {manifest.SupplementOf}; build it with FromCorrectionPackageAsync.");
        }
        var capture = CaptureSummary.Parse(await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Capture), cancellationToken).ConfigureAwait(false));
        var config = layers.Single(l => l.RelativePath == PackageFiles.Capture) with { MediaType = PackageMediaTypes.Capture };

        var annotations = CommonAnnotations(manifest, keyId);
        if (capture.CaseNumber is not null)
        {
            annotations[OciMediaTypes.CaseNumberAnnotation] = capture.CaseNumber;
        }
        if (capture.Calibre is not null)
        {
            annotations[OciMediaTypes.CalibreAnnotation] = capture.Calibre;
        }
        return new OciArtifact(manifest.CaptureId, manifest.CaptureId, OciMediaTypes.CasingArtifact, null,
            Serialize(OciMediaTypes.CasingArtifact, config, layers, null, annotations), config, layers);
    }

    /// <summary>
    /// Builds the artifact of a sealed correction supplement whose original was pushed as <paramref name="subject"/>.
    /// The caller has verified the supplement and its reference to the original.
    /// </summary>
    public static async Task<OciArtifact> FromCorrectionPackageAsync(string packagePath, OciSubject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var (manifestBytes, manifest, layers, keyId) = await ReadPackageAsync(packagePath, cancellationToken).ConfigureAwait(false);
        if (manifest.SupplementOf is null)
        {
            throw new InvalidOperationException($"Package {manifest.CaptureId} is not a supplement (no supplementOf); build it with FromPackageAsync.");
        }
        var correction = CorrectionRecord.Parse(await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Correction), cancellationToken).ConfigureAwait(false));
        var config = layers.Single(l => l.RelativePath == PackageFiles.Correction) with { MediaType = PackageMediaTypes.Correction };
        var annotations = CommonAnnotations(manifest, keyId);
        annotations[OciMediaTypes.CorrectionSequenceAnnotation] = correction.Sequence.ToString(CultureInfo.InvariantCulture);
        if (correction.Changes.FirstOrDefault(c => c.Field == CorrectableCaseFields.CaseNumber)?.NewValue is { } caseNumber)
        {
            // The corrected case number, so a search by case number finds the correction (and through it the capture).
            annotations[OciMediaTypes.CaseNumberAnnotation] = caseNumber;
        }
        var tag = OciMediaTypes.CorrectionTag(manifest.SupplementOf, correction.Sequence);
        return new OciArtifact(manifest.CaptureId, tag, OciMediaTypes.CorrectionArtifact, subject,
            Serialize(OciMediaTypes.CorrectionArtifact, config, layers, subject, annotations), config, layers);
    }

    /// <summary>Re-reads an artifact from the manifest bytes recorded in the outbox.</summary>
    public static OciArtifact FromManifestBytes(string captureId, byte[] manifestBytes)
    {
        using var doc = JsonDocument.Parse(manifestBytes);
        var root = doc.RootElement;
        var layers = root.GetProperty("layers").EnumerateArray().Select(l => new ArtifactBlob(
            l.GetProperty("digest").GetString()!,
            l.GetProperty("size").GetInt64(),
            l.GetProperty("mediaType").GetString()!,
            l.GetProperty("annotations").GetProperty(OciMediaTypes.TitleAnnotation).GetString()!)).ToArray();
        var configEl = root.GetProperty("config");
        var configDigest = configEl.GetProperty("digest").GetString()!;
        // The config is one of the package files (capture.json or correction.json), so its path is that layer's title.
        var configPath = layers.FirstOrDefault(l => l.Digest == configDigest)?.RelativePath ?? PackageFiles.Capture;
        var config = new ArtifactBlob(configDigest, configEl.GetProperty("size").GetInt64(), configEl.GetProperty("mediaType").GetString()!, configPath);
        var artifactType = root.TryGetProperty("artifactType", out var at) ? at.GetString()! : OciMediaTypes.CasingArtifact;
        OciSubject? subject = null;
        var tag = captureId;
        if (root.TryGetProperty("subject", out var s))
        {
            subject = new OciSubject(s.GetProperty("mediaType").GetString()!, s.GetProperty("digest").GetString()!, s.GetProperty("size").GetInt64());
            var annotations = root.GetProperty("annotations");
            tag = OciMediaTypes.CorrectionTag(annotations.GetProperty(OciMediaTypes.SupplementOfAnnotation).GetString()!,
                int.Parse(annotations.GetProperty(OciMediaTypes.CorrectionSequenceAnnotation).GetString()!, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        return new OciArtifact(captureId, tag, artifactType, subject, manifestBytes, config, layers);
    }

    private static async Task<(byte[] ManifestBytes, PackageManifest Manifest, List<ArtifactBlob> Layers, string? KeyId)> ReadPackageAsync(string packagePath, CancellationToken cancellationToken)
    {
        var manifestBytes = await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Manifest), cancellationToken).ConfigureAwait(false);
        var manifest = PackageManifest.Parse(manifestBytes);
        var sigBytes = await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Signature), cancellationToken).ConfigureAwait(false);
        var layers = new List<ArtifactBlob>();
        foreach (var f in manifest.Files)
        {
            layers.Add(new ArtifactBlob("sha256:" + f.Sha256.ToLowerInvariant(), f.Size, f.MediaType, f.Path));
        }
        layers.Add(Blob(manifestBytes, PackageMediaTypes.Manifest, PackageFiles.Manifest));
        layers.Add(Blob(sigBytes, PackageMediaTypes.Signature, PackageFiles.Signature));
        layers.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));

        string? keyId = null;
        var signerPath = Path.Combine(packagePath, PackageFiles.Signer);
        if (File.Exists(signerPath))
        {
            using var signer = JsonDocument.Parse(await File.ReadAllBytesAsync(signerPath, cancellationToken).ConfigureAwait(false));
            keyId = signer.RootElement.TryGetProperty("keyId", out var k) ? k.GetString() : null;
        }
        return (manifestBytes, manifest, layers, keyId);
    }

    private static SortedDictionary<string, string> CommonAnnotations(PackageManifest manifest, string? keyId)
    {
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [OciMediaTypes.CaptureIdAnnotation] = manifest.CaptureId,
            [OciMediaTypes.StationIdAnnotation] = manifest.StationId,
            [OciMediaTypes.CreatedAnnotation] = manifest.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        if (manifest.SupplementOf is not null)
        {
            annotations[OciMediaTypes.SupplementOfAnnotation] = manifest.SupplementOf;
        }
        if (keyId is not null)
        {
            annotations[OciMediaTypes.SignerKeyIdAnnotation] = keyId;
        }
        return annotations;
    }

    private static ArtifactBlob Blob(byte[] bytes, string mediaType, string path) =>
        new("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength, mediaType, path);

    private static byte[] Serialize(string artifactType, ArtifactBlob config, IReadOnlyList<ArtifactBlob> layers, OciSubject? subject, SortedDictionary<string, string> annotations)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.ImageManifest);
            w.WriteString("artifactType", artifactType);
            w.WritePropertyName("config");
            WriteDescriptor(w, config, null);
            w.WriteStartArray("layers");
            foreach (var l in layers)
            {
                WriteDescriptor(w, l, l.RelativePath);
            }
            w.WriteEndArray();
            if (subject is not null)
            {
                w.WriteStartObject("subject");
                w.WriteString("mediaType", subject.MediaType);
                w.WriteString("digest", subject.Digest);
                w.WriteNumber("size", subject.Size);
                w.WriteEndObject();
            }
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
