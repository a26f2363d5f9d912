using Acquisition.Core.Storage;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// A durable-file-system layer that models a power cut. Writes reach the real disk at once (so the code under test
/// sees normal files), but the layer remembers what a real power loss could still undo: file bytes written after the
/// last fsync of that file, and directory entries (creations, renames) made since the last fsync of their directory.
/// At the seeded operation <see cref="CutAt"/> the power goes off; <see cref="ApplyPowerLoss"/> then undoes exactly
/// what was not yet durable, newest first, leaving the disk as it could be found after the reboot.
/// </summary>
public sealed class PowerLossFileSystem : IDurableFileSystem, Acquisition.Uplink.IReplacingFileSystem
{
    private readonly IDurableFileSystem _real = new PosixDurableFileSystem();
    private readonly List<(string Directory, Action Undo)> _pendingEntries = [];
    private readonly Dictionary<string, long> _syncedLength = new(StringComparer.Ordinal);
    private readonly Dictionary<Stream, string> _streams = [];

    public int CutAt { get; set; } = int.MaxValue;
    public int Operations { get; private set; }
    public bool IsOff { get; private set; }

    private void Step()
    {
        if (IsOff)
        {
            throw new PowerCutException();
        }
        Operations++;
        if (Operations >= CutAt)
        {
            IsOff = true;
            throw new PowerCutException();
        }
    }

    public Stream CreateNew(string path)
    {
        Step();
        var s = _real.CreateNew(path);
        var full = Path.GetFullPath(path);
        _syncedLength[full] = 0;
        _streams[s] = full;
        _pendingEntries.Add((Path.GetDirectoryName(full)!, () => File.Delete(full)));
        return new CutStream(this, s);
    }

    public Stream OpenAppend(string path)
    {
        Step();
        var full = Path.GetFullPath(path);
        var existed = File.Exists(full);
        var s = _real.OpenAppend(path);
        _syncedLength.TryAdd(full, existed ? new FileInfo(full).Length : 0);
        _streams[s] = full;
        if (!existed)
        {
            _pendingEntries.Add((Path.GetDirectoryName(full)!, () => File.Delete(full)));
        }
        return new CutStream(this, s);
    }

    public void Sync(Stream stream)
    {
        Step();
        var inner = stream is CutStream c ? c.Inner : stream;
        _real.Sync(inner);
        if (_streams.TryGetValue(inner, out var path))
        {
            _syncedLength[path] = inner.Length;
        }
    }

    public void RenameNoReplace(string from, string to)
    {
        Step();
        var f = Path.GetFullPath(from);
        var t = Path.GetFullPath(to);
        if (Directory.Exists(f))
        {
            if (Directory.Exists(t) || File.Exists(t))
            {
                throw new IOException($"'{t}' exists");
            }
            Directory.Move(f, t);
            _pendingEntries.Add((Path.GetDirectoryName(t)!, () => Directory.Move(t, f)));
        }
        else
        {
            _real.RenameNoReplace(f, t);
            Retarget(f, t);
            _pendingEntries.Add((Path.GetDirectoryName(t)!, () =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(f)!);
                File.Move(t, f);
                Retarget(t, f);
            }));
        }
    }

    public void RenameReplace(string from, string to)
    {
        Step();
        var f = Path.GetFullPath(from);
        var t = Path.GetFullPath(to);
        byte[]? old = File.Exists(t) ? File.ReadAllBytes(t) : null;
        File.Move(f, t, overwrite: true);
        Retarget(f, t);
        _pendingEntries.Add((Path.GetDirectoryName(t)!, () =>
        {
            File.Move(t, f);
            Retarget(t, f);
            if (old is not null)
            {
                File.WriteAllBytes(t, old);
            }
        }));
    }

    public void SyncDirectory(string directory)
    {
        Step();
        _real.SyncDirectory(directory);
        var d = Path.GetFullPath(directory).TrimEnd('/');
        _pendingEntries.RemoveAll(e => e.Directory == d);
    }

    /// <summary>Undoes everything not yet durable, newest first, and truncates files to their last fsynced length.</summary>
    public void ApplyPowerLoss()
    {
        for (var i = _pendingEntries.Count - 1; i >= 0; i--)
        {
            try
            {
                _pendingEntries[i].Undo();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Already gone with a parent's undo: nothing left to revert.
            }
        }
        _pendingEntries.Clear();
        foreach (var (path, length) in _syncedLength)
        {
            if (File.Exists(path) && new FileInfo(path).Length > length)
            {
                using var s = new FileStream(path, FileMode.Open, FileAccess.Write);
                s.SetLength(length);
            }
        }
        _syncedLength.Clear();
        foreach (var s in _streams.Keys)
        {
            s.Dispose();
        }
        _streams.Clear();
    }

    private void Retarget(string from, string to)
    {
        if (_syncedLength.Remove(from, out var len))
        {
            _syncedLength[to] = len;
        }
        foreach (var (s, p) in _streams.ToArray())
        {
            if (p == from)
            {
                _streams[s] = to;
            }
        }
    }

    private void Write() => Step();

    /// <summary>Each write counts as an operation, so the power can go off in the middle of a file.</summary>
    private sealed class CutStream(PowerLossFileSystem owner, Stream inner) : Stream
    {
        public Stream Inner => inner;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            owner.Write();
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.Write();
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
