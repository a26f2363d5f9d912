using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Acquisition.Core.Storage;

namespace Acquisition.Uplink;

/// <summary>
/// Writes capture artifacts into an OCI image layout directory (oci-layout, index.json, blobs/sha256/...), on local
/// disk or removable media. Every blob goes through Core's DurableFileWriter (temp in the layout's own .tmp so the
/// rename never crosses filesystems), is re-hashed while copied, and index.json is replaced atomically after the
/// blobs it names are durable. A power cut leaves either the old index or the new one, never a dangling entry.
/// </summary>
public sealed class OciLayoutDestination : IUplinkDestination
{
    public const string IndexFileName = "index.json";
    public const string LayoutFileName = "oci-layout";
    private readonly IDurableFileSystem _fs;
    private readonly DurableFileWriter _writer;
    private readonly IUplinkCheckpoints _checkpoints;

    public OciLayoutDestination(string name, string layoutPath, IDurableFileSystem? fileSystem = null, IUplinkCheckpoints? checkpoints = null)
    {
        Name = name;
        LayoutPath = Path.GetFullPath(layoutPath);
        _fs = fileSystem ?? new PosixDurableFileSystem();
        _writer = new DurableFileWriter(Path.Combine(LayoutPath, ".tmp"), _fs);
        _checkpoints = checkpoints ?? NoCheckpoints.Instance;
    }

    public string Name { get; }
    public string LayoutPath { get; }
    private string BlobsDirectory => Path.Combine(LayoutPath, "blobs", "sha256");

    public async Task<string> DeliverAsync(OutboxDelivery delivery, OciArtifact artifact, Outbox outbox, CancellationToken cancellationToken) =>
        await ExportAsync(delivery.PackagePath, artifact, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Copies the package's blobs and the manifest into the layout and names it in index.json with its tag (the capture
    /// id, or <c>&lt;originalId&gt;-correction-&lt;n&gt;</c>); a correction's manifest carries its subject, which is how
    /// a reader of the layout finds the corrections of a capture (OciLayoutVerifier reports it per entry).
    /// </summary>
    public async Task<string> ExportAsync(string packagePath, OciArtifact artifact, CancellationToken cancellationToken)
    {
        await EnsureLayoutAsync(cancellationToken).ConfigureAwait(false);
        foreach (var blob in artifact.DistinctBlobs())
        {
            var source = Path.Combine(packagePath, blob.RelativePath.Replace('/', Path.DirectorySeparatorChar));
            await WriteBlobAsync(blob.Hex, blob.Size, async (s, ct) =>
            {
                await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await input.CopyToAsync(s, ct).ConfigureAwait(false);
            }, blob.RelativePath, cancellationToken).ConfigureAwait(false);
            _checkpoints.Reached("layout.blob-written");
        }
        var manifestHex = artifact.ManifestDigest["sha256:".Length..];
        await WriteBlobAsync(manifestHex, artifact.ManifestBytes.Length, (s, ct) => s.WriteAsync(artifact.ManifestBytes, ct).AsTask(), "the OCI manifest", cancellationToken).ConfigureAwait(false);
        _checkpoints.Reached("layout.manifest-written");
        await AddToIndexAsync(artifact, cancellationToken).ConfigureAwait(false);
        _checkpoints.Reached("layout.index-written");

        var check = await OciLayoutVerifier.VerifyAsync(LayoutPath, cancellationToken).ConfigureAwait(false);
        var entry = check.Manifests.FirstOrDefault(m => m.Tag == artifact.Tag);
        if (entry is null || entry.Digest != artifact.ManifestDigest || !check.IsValid)
        {
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"the layout at {LayoutPath} does not verify after writing {artifact.CaptureId}: {string.Join("; ", check.Problems)}");
        }
        return entry.Digest;
    }

    private async Task EnsureLayoutAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(BlobsDirectory);
        _fs.SyncDirectory(Path.Combine(LayoutPath, "blobs"));
        _fs.SyncDirectory(LayoutPath);
        if (!File.Exists(Path.Combine(LayoutPath, LayoutFileName)))
        {
            await _writer.WriteAsync(Path.Combine(LayoutPath, LayoutFileName), """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray(), ct).ConfigureAwait(false);
        }
    }

    private async Task WriteBlobAsync(string hex, long size, Func<Stream, CancellationToken, Task> produce, string what, CancellationToken ct)
    {
        var path = Path.Combine(BlobsDirectory, hex);
        if (File.Exists(path))
        {
            if (new FileInfo(path).Length == size && await HashFileAsync(path, ct).ConfigureAwait(false) == hex)
            {
                return;
            }
            // Content-addressed: a file under this name with other bytes is damage (e.g. media pulled mid-copy on a
            // filesystem without journaling), not evidence; replace it with the real content.
            File.Delete(path);
            _fs.SyncDirectory(BlobsDirectory);
        }
        string written;
        try
        {
            written = await _writer.WriteAsync(path, produce, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException ex)
        {
            throw new UplinkFailureException(UplinkFailureKind.Rejected, $"{what} is missing from the package: {ex.Message}", inner: ex);
        }
        if (written != hex)
        {
            File.Delete(path);
            throw new UplinkFailureException(UplinkFailureKind.Rejected, $"{what} hashed to sha256:{written} while copying, but the artifact records sha256:{hex}: the package changed after it was queued");
        }
    }

    private async Task AddToIndexAsync(OciArtifact artifact, CancellationToken ct)
    {
        var indexPath = Path.Combine(LayoutPath, IndexFileName);
        JsonObject index;
        if (File.Exists(indexPath))
        {
            index = JsonNode.Parse(await File.ReadAllBytesAsync(indexPath, ct).ConfigureAwait(false))?.AsObject()
                ?? throw new UplinkFailureException(UplinkFailureKind.Transient, $"{indexPath} is empty");
        }
        else
        {
            index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciMediaTypes.ImageIndex, ["manifests"] = new JsonArray() };
        }
        var manifests = index["manifests"]?.AsArray() ?? throw new UplinkFailureException(UplinkFailureKind.Transient, $"{indexPath} has no manifests array");
        foreach (var m in manifests)
        {
            if (m?["annotations"]?[OciMediaTypes.RefNameAnnotation]?.GetValue<string>() == artifact.Tag)
            {
                var existing = m["digest"]?.GetValue<string>();
                if (existing == artifact.ManifestDigest)
                {
                    return;
                }
                throw new UplinkFailureException(UplinkFailureKind.Rejected, $"the layout already holds {artifact.Tag} as {existing}, not {artifact.ManifestDigest}; a capture or correction is never replaced");
            }
        }
        manifests.Add(new JsonObject
        {
            ["mediaType"] = OciMediaTypes.ImageManifest,
            ["artifactType"] = artifact.ArtifactType,
            ["digest"] = artifact.ManifestDigest,
            ["size"] = artifact.ManifestBytes.Length,
            ["annotations"] = new JsonObject { [OciMediaTypes.RefNameAnnotation] = artifact.Tag },
        });
        var bytes = JsonSerializer.SerializeToUtf8Bytes(index);
        var tmp = Path.Combine(LayoutPath, ".tmp", $"index.json.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(tmp)!);
        using (var s = _fs.CreateNew(tmp))
        {
            await s.WriteAsync(bytes, ct).ConfigureAwait(false);
            await s.FlushAsync(ct).ConfigureAwait(false);
            _fs.Sync(s);
        }
        if (_fs is IReplacingFileSystem replacing)
        {
            replacing.RenameReplace(tmp, indexPath);
        }
        else
        {
            File.Move(tmp, indexPath, overwrite: true);
        }
        _fs.SyncDirectory(LayoutPath);
        _fs.SyncDirectory(Path.GetDirectoryName(tmp)!);
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct).ConfigureAwait(false));
    }
}
