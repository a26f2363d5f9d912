using System.Security.Cryptography;
using System.Text.Json;
using Acquisition.Core.Storage;

namespace Acquisition.Packaging;

/// <summary>
/// Builds one evidence package in <c>tmp/&lt;captureId&gt;.staging/</c> with durable writes, then seals it: capture.json,
/// signer.json, manifest.json and manifest.sig are written, every staging directory is fsynced, and the whole
/// directory is renamed (no-replace) into <c>packages/</c>. A sealed package is never modified.
/// </summary>
public sealed class PackageBuilder
{
    private readonly DataDirectory _data;
    private readonly DurableFileWriter _writer;
    private readonly TimeProvider _time;
    private readonly List<PackageManifestEntry> _files = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _closed;

    private PackageBuilder(DataDirectory data, string captureId, string stationId, string? supplementOf, DurableFileWriter writer, TimeProvider time)
    {
        _data = data;
        CaptureId = captureId;
        StationId = stationId;
        SupplementOf = supplementOf;
        _writer = writer;
        _time = time;
        StagingPath = Path.Combine(data.Tmp, captureId + ".staging");
    }

    public string CaptureId { get; }
    public string StationId { get; }
    public string? SupplementOf { get; }
    public string StagingPath { get; }
    public string FinalPath => Path.Combine(_data.Packages, CaptureId);

    /// <summary>
    /// Starts a package. Fails when a package or a staging directory for this capture id already exists: evidence is
    /// never overwritten, and an abandoned staging directory is kept for forensics.
    /// </summary>
    /// <param name="supplementOf">For a correction: the capture id of the package it supplements.</param>
    public static PackageBuilder Begin(DataDirectory dataDirectory, string captureId, string stationId, DurableFileWriter writer, TimeProvider timeProvider, string? supplementOf = null)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(timeProvider);
        PackagePaths.ThrowIfNotCaptureId(captureId, nameof(captureId));
        ArgumentException.ThrowIfNullOrWhiteSpace(stationId);
        if (supplementOf is not null)
        {
            PackagePaths.ThrowIfNotCaptureId(supplementOf, nameof(supplementOf));
            if (supplementOf == captureId)
            {
                throw new ArgumentException("A supplement needs its own capture id, different from the original's.", nameof(supplementOf));
            }
        }
        var builder = new PackageBuilder(dataDirectory, captureId, stationId, supplementOf, writer, timeProvider);
        if (Directory.Exists(builder.FinalPath))
        {
            throw new IOException($"Package {captureId} already exists at {builder.FinalPath}; a sealed package is never overwritten. Use a new capture id (a supplement) for corrections.");
        }
        Directory.CreateDirectory(dataDirectory.Tmp);
        Directory.CreateDirectory(dataDirectory.Packages);
        if (Directory.Exists(builder.StagingPath))
        {
            throw new IOException($"A staging directory for capture {captureId} already exists at {builder.StagingPath} (an earlier attempt that never sealed, kept for forensics). Use a new capture id.");
        }
        Directory.CreateDirectory(builder.StagingPath);
        writer.FileSystem.SyncDirectory(dataDirectory.Tmp);
        return builder;
    }

    /// <summary>Adds a payload file; returns its lowercase hex SHA-256, computed while writing.</summary>
    public Task<string> AddFileAsync(string relativePath, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        AddFileAsync(relativePath, mediaType, (s, ct) => s.WriteAsync(content, ct).AsTask(), cancellationToken);

    /// <summary>Adds a payload file streamed by <paramref name="produce"/>; returns its lowercase hex SHA-256.</summary>
    public async Task<string> AddFileAsync(string relativePath, string mediaType, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        PackagePaths.ThrowIfBadRelativePath(relativePath, nameof(relativePath));
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        ArgumentNullException.ThrowIfNull(produce);
        if (PackageFiles.IsReserved(relativePath))
        {
            throw new ArgumentException($"'{relativePath}' is written by SealAsync; payload files may not use that name.", nameof(relativePath));
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            if (_files.Any(f => f.Path == relativePath))
            {
                throw new IOException($"'{relativePath}' was already added to package {CaptureId}; files are written once.");
            }
            return await WriteEntryAsync(relativePath, mediaType, produce, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes capture.json, signer.json, manifest.json and its signature, then moves the package into packages/.
    /// </summary>
    public async Task<SealedPackage> SealAsync(ReadOnlyMemory<byte> captureJson, ECDsa signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (SupplementOf is not null)
        {
            throw new InvalidOperationException($"Package {CaptureId} is a supplement of {SupplementOf}: seal it with SealCorrectionAsync (a correction.json, no capture.json).");
        }
        ValidateCaptureJson(captureJson.Span);
        return await SealWithRecordAsync(PackageFiles.Capture, PackageMediaTypes.Capture, captureJson, signer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Seals a correction supplement: correction.json (the record, checked against <see cref="CorrectionRecord.Problems"/>),
    /// signer.json, manifest.json (with supplementOf) and its signature. The original package is only referenced.
    /// </summary>
    public async Task<SealedPackage> SealCorrectionAsync(CorrectionRecord correction, ECDsa signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(correction);
        ArgumentNullException.ThrowIfNull(signer);
        if (SupplementOf is null)
        {
            throw new InvalidOperationException($"Package {CaptureId} was begun as an original capture; a correction needs Begin(..., supplementOf: originalId).");
        }
        if (correction.CorrectionId != CaptureId || correction.OriginalCaptureId != SupplementOf)
        {
            throw new ArgumentException($"correction.json must be for correction {CaptureId} of capture {SupplementOf}, not {correction.CorrectionId} of {correction.OriginalCaptureId}.", nameof(correction));
        }
        var problems = correction.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The correction is not valid: " + string.Join("; ", problems), nameof(correction));
        }
        return await SealWithRecordAsync(PackageFiles.Correction, PackageMediaTypes.Correction, correction.ToUtf8Bytes(), signer, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SealedPackage> SealWithRecordAsync(string recordPath, string recordMediaType, ReadOnlyMemory<byte> record, ECDsa signer, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            await WriteEntryAsync(recordPath, recordMediaType, (s, ct) => s.WriteAsync(record, ct).AsTask(), cancellationToken).ConfigureAwait(false);
            var signerJson = SignerJson(signer);
            await WriteEntryAsync(PackageFiles.Signer, PackageMediaTypes.Signer, (s, ct) => s.WriteAsync(signerJson, ct).AsTask(), cancellationToken).ConfigureAwait(false);

            var manifest = new PackageManifest(CaptureId, StationId, _time.GetUtcNow(), SupplementOf, _files.ToArray()).ToUtf8Bytes();
            var signature = signer.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            var manifestSha = await _writer.WriteAsync(Path.Combine(StagingPath, PackageFiles.Manifest), manifest, cancellationToken).ConfigureAwait(false);
            await _writer.WriteAsync(Path.Combine(StagingPath, PackageFiles.Signature), signature, cancellationToken).ConfigureAwait(false);

            var fs = _writer.FileSystem;
            // Sub-directories were created on the way; their entries must be durable before the rename publishes them.
            foreach (var dir in Directory.EnumerateDirectories(StagingPath, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            {
                fs.SyncDirectory(dir);
            }
            fs.SyncDirectory(StagingPath);
            DirectoryRename.NoReplace(fs, StagingPath, FinalPath);
            // Renamed: the package is sealed and in place whatever follows. A failing directory fsync must not make
            // the caller record it as failed (it is complete, and the uplink will find and send it); it is reported
            // with the package instead. (Not retried: after EIO a second fsync can report success without writing anything.)
            _closed = true;
            var warning = SyncAfterRename(fs, _data.Packages) ?? SyncAfterRename(fs, _data.Tmp);
            return new SealedPackage(FinalPath, CaptureId, manifestSha) { DurabilityWarning = warning };
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string? SyncAfterRename(IDurableFileSystem fs, string directory)
    {
        try
        {
            fs.SyncDirectory(directory);
            return null;
        }
        catch (Exception ex)
        {
            return $"the package was sealed, but the fsync of {directory} after the rename failed ({ex.Message}): a power cut before the next sync could put it back in tmp/ (the next start then keeps it in unsealed/)";
        }
    }

    /// <summary>Stops using this builder for a capture that will never seal; the staging directory stays for forensics.</summary>
    public void Abandon() => _closed = true;

    private async Task<string> WriteEntryAsync(string relativePath, string mediaType, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var full = Path.Combine(StagingPath, relativePath.Replace('/', Path.DirectorySeparatorChar));
        var sha = await _writer.WriteAsync(full, produce, cancellationToken).ConfigureAwait(false);
        var size = new FileInfo(full).Length;
        _files.Add(new PackageManifestEntry(relativePath, size, sha, mediaType));
        return sha;
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException($"Package {CaptureId} is already sealed or abandoned.");
        }
    }

    private void ValidateCaptureJson(ReadOnlySpan<byte> captureJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(captureJson.ToArray());
            var root = doc.RootElement;
            if (!root.TryGetProperty("captureId", out var id) || id.GetString() != CaptureId)
            {
                throw new ArgumentException($"capture.json must carry \"captureId\":\"{CaptureId}\", the id this package is built for.", nameof(captureJson));
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"capture.json is not valid JSON: {ex.Message}", nameof(captureJson), ex);
        }
    }

    private static byte[] SignerJson(ECDsa signer)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("keyId", KeyIds.Of(signer));
            w.WriteString("publicKeyPem", signer.ExportSubjectPublicKeyInfoPem());
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
