using System.Security.Cryptography;

namespace Acquisition.Uplink;

/// <summary>
/// Pushes a capture artifact to an OCI registry: for each blob, skip it if the server has it (HEAD), else resume the
/// recorded session from the offset the server confirms (GET), or start one (POST); send chunks (PATCH with
/// Content-Range), recording the confirmed offset after each; close with PUT ?digest=. Then PUT the recorded
/// manifest under its tag (idempotent) and read it back by tag to compare digests; a correction is then linked to the
/// capture it corrects (OCI 1.1 referrers, with the tag-schema fallback for registries without the referrers API).
/// </summary>
public sealed class RegistryDestination : IUplinkDestination
{
    private const int MaxBlobRestarts = 3;
    private readonly RegistryClient _client;
    private readonly int _chunkSize;
    private readonly IUplinkCheckpoints _checkpoints;

    public RegistryDestination(string name, RegistryClient client, int chunkSizeBytes, IUplinkCheckpoints? checkpoints = null)
    {
        Name = name;
        _client = client;
        _chunkSize = chunkSizeBytes;
        _checkpoints = checkpoints ?? NoCheckpoints.Instance;
    }

    public string Name { get; }
    public RegistryClient Client => _client;

    /// <summary>Bytes sent in PATCH bodies since construction (the benchmark's re-send figure).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    private long _bytesSent;

    public async Task<string> DeliverAsync(OutboxDelivery delivery, OciArtifact artifact, Outbox outbox, CancellationToken cancellationToken)
    {
        var progress = await outbox.GetBlobProgressAsync(delivery.CaptureId, Name, cancellationToken).ConfigureAwait(false);
        foreach (var blob in artifact.DistinctBlobs())
        {
            progress.TryGetValue(blob.Digest, out var p);
            if (p is { Done: true })
            {
                continue;
            }
            await UploadBlobAsync(delivery, blob, p, outbox, cancellationToken).ConfigureAwait(false);
        }
        _checkpoints.Reached("manifest.before-put");
        var reported = await _client.PutManifestAsync(artifact.Tag, artifact.ManifestBytes, cancellationToken).ConfigureAwait(false);
        _checkpoints.Reached("manifest.after-put");
        if (reported is not null && reported != artifact.ManifestDigest)
        {
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"the registry stored the manifest as {reported}, expected {artifact.ManifestDigest}");
        }
        var readBack = await _client.ReadBackDigestAsync(artifact.Tag, cancellationToken).ConfigureAwait(false);
        if (readBack != artifact.ManifestDigest)
        {
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"the manifest read back under tag {artifact.Tag} has digest {readBack}, expected {artifact.ManifestDigest}");
        }
        if (artifact.Subject is not null)
        {
            // A correction: make sure the registry lists it among the referrers of the capture it corrects.
            await _client.LinkReferrerAsync(artifact, cancellationToken).ConfigureAwait(false);
        }
        return readBack;
    }

    private async Task UploadBlobAsync(OutboxDelivery delivery, ArtifactBlob blob, BlobProgress? saved, Outbox outbox, CancellationToken ct)
    {
        for (var restart = 0; ; restart++)
        {
            try
            {
                await UploadBlobOnceAsync(delivery, blob, saved, outbox, ct).ConfigureAwait(false);
                return;
            }
            catch (UplinkFailureException ex) when (ex.Kind == UplinkFailureKind.SessionLost && restart < MaxBlobRestarts)
            {
                saved = new BlobProgress(blob.Digest, blob.Size, null, 0, false);
                await outbox.SaveBlobProgressAsync(delivery.CaptureId, Name, saved, ct).ConfigureAwait(false);
            }
            catch (UplinkFailureException ex) when (ex.Kind == UplinkFailureKind.SessionLost)
            {
                throw new UplinkFailureException(UplinkFailureKind.Transient, $"blob {blob.RelativePath}: the upload session was lost {MaxBlobRestarts + 1} times ({ex.Message})", ex.Status, ex.ServerError, inner: ex);
            }
        }
    }

    private async Task UploadBlobOnceAsync(OutboxDelivery delivery, ArtifactBlob blob, BlobProgress? saved, Outbox outbox, CancellationToken ct)
    {
        if (await _client.BlobExistsAsync(blob.Digest, ct).ConfigureAwait(false))
        {
            await outbox.SaveBlobProgressAsync(delivery.CaptureId, Name, new BlobProgress(blob.Digest, blob.Size, null, blob.Size, true), ct).ConfigureAwait(false);
            _checkpoints.Reached("blob.skipped-existing");
            return;
        }
        string? url = saved?.UploadUrl;
        long offset = 0;
        if (url is not null)
        {
            var status = await _client.GetUploadStatusAsync(url, ct).ConfigureAwait(false);
            if (status is { } s && s.Offset <= blob.Size)
            {
                (url, offset) = s;
            }
            else
            {
                url = null;
            }
        }
        if (url is null)
        {
            url = await _client.StartUploadAsync(ct).ConfigureAwait(false);
            _checkpoints.Reached("blob.after-post");
            await outbox.SaveBlobProgressAsync(delivery.CaptureId, Name, new BlobProgress(blob.Digest, blob.Size, url, 0, false), ct).ConfigureAwait(false);
            _checkpoints.Reached("blob.after-post-saved");
        }

        var path = Path.Combine(delivery.PackagePath, blob.RelativePath.Replace('/', Path.DirectorySeparatorChar));
        var buffer = new byte[(int)Math.Min(_chunkSize, Math.Max(1, blob.Size))];
        // Every byte sent is hashed on the way, so a package file changed after its verified enqueue is caught before
        // the blob is committed, without a second full read of the package.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
        {
            if (file.Length != blob.Size)
            {
                throw new UplinkFailureException(UplinkFailureKind.Rejected, $"package file {blob.RelativePath} has {file.Length} bytes but the recorded artifact says {blob.Size}: the package changed after it was queued");
            }
            for (long hashed = 0; hashed < offset;)
            {
                var n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, offset - hashed)), ct).ConfigureAwait(false);
                sha.AppendData(buffer, 0, n);
                hashed += n;
            }
            // Double-buffered: while a chunk is on the wire, it is hashed and the next one is read from disk.
            var next = new byte[buffer.Length];
            file.Position = offset;
            var want = (int)Math.Min(buffer.Length, blob.Size - offset);
            await file.ReadExactlyAsync(buffer.AsMemory(0, want), ct).ConfigureAwait(false);
            while (offset < blob.Size)
            {
                _checkpoints.Reached("blob.before-patch");
                _checkpoints.Sending(blob.Digest, offset, want);
                var patch = _client.PatchChunkAsync(url, offset, buffer.AsMemory(0, want), ct);
                sha.AppendData(buffer, 0, want);
                var nextWant = (int)Math.Min(next.Length, blob.Size - offset - want);
                Task read = nextWant > 0 ? file.ReadExactlyAsync(next.AsMemory(0, nextWant), ct).AsTask() : Task.CompletedTask;
                try
                {
                    (url, offset) = await patch.ConfigureAwait(false);
                }
                finally
                {
                    await read.ConfigureAwait(false);
                }
                Interlocked.Add(ref _bytesSent, want);
                _checkpoints.Reached("blob.after-patch");
                await outbox.SaveBlobProgressAsync(delivery.CaptureId, Name, new BlobProgress(blob.Digest, blob.Size, url, offset, false), ct).ConfigureAwait(false);
                _checkpoints.Reached("blob.after-patch-saved");
                (buffer, next) = (next, buffer);
                want = nextWant;
            }
        }
        var sent = "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
        if (sent != blob.Digest)
        {
            throw new UplinkFailureException(UplinkFailureKind.Rejected, $"package file {blob.RelativePath} hashes to {sent} but was queued as {blob.Digest}: the package changed after it was verified; the blob was not committed");
        }
        _checkpoints.Reached("blob.before-put");
        await _client.CompleteUploadAsync(url, blob.Digest, ct).ConfigureAwait(false);
        _checkpoints.Reached("blob.after-put");
        await outbox.SaveBlobProgressAsync(delivery.CaptureId, Name, new BlobProgress(blob.Digest, blob.Size, null, blob.Size, true), ct).ConfigureAwait(false);
    }
}
