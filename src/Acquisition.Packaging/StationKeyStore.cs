using System.Globalization;
using System.Security.Cryptography;
using Acquisition.Core.Storage;

namespace Acquisition.Packaging;

/// <summary>
/// The station's ECDSA P-256 signing key in keys/: <c>station.key.pem</c> (PKCS#8, mode 0600), <c>station.pub.pem</c>,
/// and <c>history/*.pub.pem</c> with every public key retired by a rotation, so that old packages still verify.
/// </summary>
public sealed class StationKeyStore
{
    public const string PrivateKeyFileName = "station.key.pem";
    public const string PublicKeyFileName = "station.pub.pem";
    public const string HistoryDirectoryName = "history";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly DataDirectory _data;
    private readonly TimeProvider _time;
    private readonly IDurableFileSystem _fs;
    private readonly Lock _gate = new();

    public StationKeyStore(DataDirectory dataDirectory, TimeProvider timeProvider, IDurableFileSystem? fileSystem = null)
    {
        _data = dataDirectory ?? throw new ArgumentNullException(nameof(dataDirectory));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _fs = fileSystem ?? new PosixDurableFileSystem();
    }

    public string PrivateKeyPath => Path.Combine(_data.Keys, PrivateKeyFileName);
    public string PublicKeyPath => Path.Combine(_data.Keys, PublicKeyFileName);
    public string HistoryDirectory => Path.Combine(_data.Keys, HistoryDirectoryName);

    /// <summary>True once a signing key exists (after enrolment or the first start).</summary>
    public bool HasKey => File.Exists(PrivateKeyPath);

    /// <summary>
    /// Loads the signing key, creating it on first use. Returns a new <see cref="ECDsa"/> instance that the caller
    /// owns and disposes.
    /// </summary>
    public Task<ECDsa> GetOrCreateSigningKeyAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!HasKey)
            {
                using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                InstallKey(created);
            }
            return Task.FromResult(LoadPrivateKey());
        }
    }

    /// <summary>The current public key as SubjectPublicKeyInfo PEM; throws when no key has been created yet.</summary>
    public string ExportPublicKeyPem()
    {
        lock (_gate)
        {
            using var key = LoadPrivateKey();
            return key.ExportSubjectPublicKeyInfoPem();
        }
    }

    /// <summary>The current key id ("sha256:..."); throws when no key has been created yet.</summary>
    public string CurrentKeyId()
    {
        lock (_gate)
        {
            using var key = LoadPrivateKey();
            return KeyIds.Of(key);
        }
    }

    /// <summary>
    /// Replaces the signing key with a new one. The old public key is kept in keys/history/ first, so a crash at any
    /// point leaves either the old key (with its history copy) or the new key in place. Returns the new key id.
    /// </summary>
    public Task<string> RotateAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (HasKey)
            {
                using var old = LoadPrivateKey();
                ArchivePublicKey(old);
            }
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            InstallKey(fresh);
            return Task.FromResult(KeyIds.Of(fresh));
        }
    }

    /// <summary>The current key and every retired one: the keys whose signatures this station stands behind.</summary>
    public IReadOnlyList<StationPublicKey> TrustedPublicKeys()
    {
        lock (_gate)
        {
            var result = new List<StationPublicKey>();
            string? currentId = null;
            if (HasKey)
            {
                using var key = LoadPrivateKey();
                currentId = KeyIds.Of(key);
                result.Add(new StationPublicKey(currentId, key.ExportSubjectPublicKeyInfoPem(), true));
            }
            if (Directory.Exists(HistoryDirectory))
            {
                foreach (var file in Directory.EnumerateFiles(HistoryDirectory, "*.pub.pem").Order(StringComparer.Ordinal))
                {
                    var pem = File.ReadAllText(file);
                    var id = KeyIds.OfPem(pem);
                    if (id != currentId && result.All(k => k.KeyId != id))
                    {
                        result.Add(new StationPublicKey(id, pem, false));
                    }
                }
            }
            return result;
        }
    }

    /// <summary>Ids of <see cref="TrustedPublicKeys"/>, in the form <see cref="PackageVerifier"/> takes.</summary>
    public IReadOnlyCollection<string> TrustedKeyIds() => TrustedPublicKeys().Select(k => k.KeyId).ToArray();

    private ECDsa LoadPrivateKey()
    {
        var path = PrivateKeyPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The station has no signing key yet ({path} is missing). Run 'acq enrol' or start the station once.");
        }
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new InvalidOperationException($"The station signing key {path} is readable or writable by other users (mode {Convert.ToString((int)mode, 8)}). Run 'chmod 600 {path}' and check who may have copied it.");
            }
        }
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new InvalidOperationException($"The station signing key {path} is not a valid PEM EC private key: {ex.Message}", ex);
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException($"The station signing key {path} is not a P-256 key (size {key.KeySize}).");
        }
        return key;
    }

    private void InstallKey(ECDsa key)
    {
        EnsureKeysDirectory();
        // Private key first: the public file is derived and rewritten from it, never the other way round.
        WriteReplacing(PrivateKeyPath, key.ExportPkcs8PrivateKeyPem(), OwnerOnlyFile);
        WriteReplacing(PublicKeyPath, key.ExportSubjectPublicKeyInfoPem(), OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private void ArchivePublicKey(ECDsa key)
    {
        EnsureKeysDirectory();
        Directory.CreateDirectory(HistoryDirectory);
        var id = KeyIds.Of(key);
        if (Directory.EnumerateFiles(HistoryDirectory, "*.pub.pem").Any(f => f.EndsWith($"-{id[7..23]}.pub.pem", StringComparison.Ordinal)))
        {
            return;
        }
        var stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(HistoryDirectory, $"{stamp}-{id[7..23]}.pub.pem");
        WriteReplacing(path, key.ExportSubjectPublicKeyInfoPem(), OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        _fs.SyncDirectory(_data.Keys);
    }

    private void EnsureKeysDirectory()
    {
        if (!Directory.Exists(_data.Keys))
        {
            Directory.CreateDirectory(_data.Root);
            Directory.CreateDirectory(_data.Keys, OwnerOnlyDirectory);
            _fs.SyncDirectory(_data.Root);
        }
    }

    // Keys are the one thing the station legitimately replaces (rotation), so this writes temp+fsync+rename over.
    private void WriteReplacing(string path, string content, UnixFileMode mode)
    {
        var dir = Path.GetDirectoryName(path)!;
        var tmp = path + ".new";
        File.Delete(tmp); // a leftover from a crash could carry a looser mode than the one asked for
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }
        using (var stream = new FileStream(tmp, options))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(content));
            stream.Flush(flushToDisk: true);
        }
        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode is masked by umask and ignored for an existing leftover .new file.
            File.SetUnixFileMode(tmp, mode);
        }
        File.Move(tmp, path, overwrite: true);
        _fs.SyncDirectory(dir);
    }
}
