using System.Security.Cryptography;

namespace Acquisition.Core.Storage;

/// <summary>
/// Writes evidence files so that a crash leaves either the complete file or nothing: write into tmp/, fsync the
/// file, rename into place (never over an existing file), fsync both directories. Returns the SHA-256 of what was
/// written, computed while writing, so every file is hashed at creation.
/// </summary>
public sealed class DurableFileWriter
{
    private readonly IDurableFileSystem _fs;
    private readonly string _tmpDirectory;

    public DurableFileWriter(string tmpDirectory, IDurableFileSystem? fileSystem = null)
    {
        _tmpDirectory = tmpDirectory;
        _fs = fileSystem ?? new PosixDurableFileSystem();
    }

    public DurableFileWriter(DataDirectory dataDirectory, IDurableFileSystem? fileSystem = null)
        : this(dataDirectory.Tmp, fileSystem)
    {
    }

    public IDurableFileSystem FileSystem => _fs;

    /// <summary>Writes <paramref name="content"/> to <paramref name="finalPath"/>; returns its lowercase hex SHA-256.</summary>
    public Task<string> WriteAsync(string finalPath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        WriteAsync(finalPath, (s, ct) => s.WriteAsync(content, ct).AsTask(), cancellationToken);

    /// <summary>Streams content from <paramref name="produce"/> to <paramref name="finalPath"/>; returns its lowercase hex SHA-256.</summary>
    public async Task<string> WriteAsync(string finalPath, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(finalPath);
        finalPath = Path.GetFullPath(finalPath);
        if (File.Exists(finalPath))
        {
            throw new IOException($"Refusing to overwrite '{finalPath}': evidence files are written once.");
        }
        var finalDir = Path.GetDirectoryName(finalPath)!;
        CreateDurably(finalDir);
        CreateDurably(Path.GetFullPath(_tmpDirectory));
        var tmp = Path.Combine(_tmpDirectory, $"{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");
        string hash;
        try
        {
            using (var file = _fs.CreateNew(tmp))
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var hashing = new HashingWriteStream(file, sha))
                {
                    await produce(hashing, cancellationToken).ConfigureAwait(false);
                    await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                _fs.Sync(file);
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
            _fs.RenameNoReplace(tmp, finalPath);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        _fs.SyncDirectory(finalDir);
        if (!string.Equals(Path.GetFullPath(_tmpDirectory), finalDir, StringComparison.Ordinal))
        {
            _fs.SyncDirectory(_tmpDirectory);
        }
        return hash;
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and any missing parents one level at a time, fsyncing each parent after
    /// its new entry: otherwise the first file written into a new directory (calibration/&lt;kind&gt;/, say) could
    /// vanish with its directory after a power cut, while its audit entry survives.
    /// </summary>
    private void CreateDurably(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        var parent = Path.GetDirectoryName(directory);
        if (parent is not null)
        {
            CreateDurably(parent);
        }
        Directory.CreateDirectory(directory);
        if (parent is not null)
        {
            _fs.SyncDirectory(parent);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless and cleaned at start; the original error matters more.
        }
    }
}
