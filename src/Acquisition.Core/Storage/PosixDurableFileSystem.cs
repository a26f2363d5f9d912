using System.Runtime.InteropServices;

namespace Acquisition.Core.Storage;

/// <summary>The kernel-backed implementation: fsync on files, and open+fsync on directories (.NET has no API for it).</summary>
public sealed class PosixDurableFileSystem : IDurableFileSystem
{
    public Stream CreateNew(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 81920, FileOptions.None);

    public Stream OpenAppend(string path) =>
        new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);

    public void Sync(Stream stream)
    {
        if (stream is FileStream fs)
        {
            fs.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    public void RenameNoReplace(string from, string to) => File.Move(from, to, overwrite: false);

    public void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = PosixNative.open(directory, PosixNative.O_RDONLY | PosixNative.O_DIRECTORY);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it: errno {Marshal.GetLastPInvokeError()}.");
        }
        try
        {
            if (PosixNative.fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed: errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            PosixNative.close(fd);
        }
    }
}
