using System.Net.Sockets;
using System.Runtime.InteropServices;
using Acquisition.Station.Hosting;

namespace Acquisition.Station.ControlApi;

/// <summary>
/// Who is on the other end of a Unix socket connection, as the kernel saw it at connect time (SO_PEERCRED): this
/// cannot be forged by the client, so the audit log can name the OS user behind every control request.
/// </summary>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid, string UserName)
{
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;

    [StructLayout(LayoutKind.Sequential)]
    private struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    public static unsafe PeerCredentials Read(Socket socket)
    {
        UCred cred;
        var span = new Span<byte>(&cred, sizeof(UCred));
        var length = socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, span);
        if (length != sizeof(UCred))
        {
            throw new InvalidOperationException($"SO_PEERCRED returned {length} bytes, expected {sizeof(UCred)}.");
        }
        // An account may have been removed while its process lives on; the uid still identifies it.
        var name = PosixAccounts.UserNameOf(cred.Uid) ?? $"uid:{cred.Uid}";
        return new PeerCredentials(cred.Pid, cred.Uid, cred.Gid, name);
    }
}
