using System.Runtime.InteropServices;

namespace Acquisition.Core.Storage;

internal static partial class PosixNative
{
    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000; // Linux value

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);
}
