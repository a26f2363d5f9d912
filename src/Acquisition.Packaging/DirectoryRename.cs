using System.Runtime.InteropServices;
using Acquisition.Core.Storage;

namespace Acquisition.Packaging;

/// <summary>
/// Atomic no-replace rename of a whole directory. Core's file system abstraction renames files; for the real kernel
/// a directory needs renameat2(RENAME_NOREPLACE) so that two seals of one id can never both succeed.
/// </summary>
internal static partial class DirectoryRename
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplace = 1;
    private const int EExist = 17;
    private const int ENotEmpty = 39;

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    public static void NoReplace(IDurableFileSystem fs, string from, string to)
    {
        if (fs is not PosixDurableFileSystem || OperatingSystem.IsWindows())
        {
            // Test layers (power-loss simulation) model directory renames themselves.
            fs.RenameNoReplace(from, to);
            return;
        }
        if (RenameAt2(AtFdCwd, from, AtFdCwd, to, RenameNoReplace) == 0)
        {
            return;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno is EExist or ENotEmpty)
        {
            throw new IOException($"Refusing to replace '{to}': it already exists, and packages are never overwritten.");
        }
        throw new IOException($"Cannot rename '{from}' to '{to}': errno {errno}.");
    }
}
