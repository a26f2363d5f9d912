using System.Runtime.InteropServices;

namespace Acquisition.Station.Hosting;

/// <summary>
/// User and group lookups through the C library, so that names come from NSS exactly as `id` shows them
/// (including LDAP/sssd accounts that /etc/passwd does not list).
/// </summary>
public static partial class PosixAccounts
{
    private const int ERANGE = 34;

    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint Uid;
        public uint Gid;
        public IntPtr Gecos;
        public IntPtr Home;
        public IntPtr Shell;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Group
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint Gid;
        public IntPtr Members;
    }

    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    private static unsafe partial int GetPwUidR(uint uid, Passwd* pwd, byte* buffer, nuint length, Passwd** result);

    [LibraryImport("libc", EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int GetGrNamR(string name, Group* grp, byte* buffer, nuint length, Group** result);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint EffectiveUserId();

    /// <summary>The account name of <paramref name="uid"/>, or null when no account has that id.</summary>
    public static unsafe string? UserNameOf(uint uid)
    {
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Passwd pwd;
            Passwd* result = null;
            int rc;
            fixed (byte* b = buffer)
            {
                rc = GetPwUidR(uid, &pwd, b, (nuint)size, &result);
                if (rc == 0)
                {
                    return result == null ? null : Marshal.PtrToStringUTF8(pwd.Name);
                }
            }
            if (rc != ERANGE)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>The id of group <paramref name="name"/>, or null when there is no such group.</summary>
    public static unsafe uint? GroupIdOf(string name)
    {
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Group grp;
            Group* result = null;
            int rc;
            fixed (byte* b = buffer)
            {
                rc = GetGrNamR(name, &grp, b, (nuint)size, &result);
                if (rc == 0)
                {
                    return result == null ? null : grp.Gid;
                }
            }
            if (rc != ERANGE)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Gives <paramref name="path"/> to group <paramref name="gid"/>, keeping its owner.</summary>
    public static void ChangeGroup(string path, uint gid)
    {
        if (Chown(path, uint.MaxValue, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException(
                $"Cannot give '{path}' to group {gid}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}). " +
                "The daemon's user must be a member of ControlApi:SocketGroup (SupplementaryGroups in the unit).");
        }
    }
}
