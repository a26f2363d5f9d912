using System.Runtime.InteropServices;

namespace Acquisition.HardwareSim.Serial;

/// <summary>libc calls for the pseudo-terminal (glibc ≥ 2.34 has openpty in libc itself).</summary>
internal static unsafe class PtyNative
{
    public const int O_RDWR = 2;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int FIONREAD = 0x541B;
    public const int TCSANOW = 0;
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int EIO = 5;

    // struct termios is 60 bytes on linux-x64; a larger buffer is harmless because libc only touches its fields.
    public const int TermiosBufferSize = 128;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int openpty(out int master, out int slave, IntPtr name, IntPtr termp, IntPtr winp);

    [DllImport("libc", SetLastError = true)]
    public static extern int ttyname_r(int fd, byte* buf, nint buflen);

    [DllImport("libc", SetLastError = true)]
    public static extern int tcgetattr(int fd, byte* termios);

    [DllImport("libc", SetLastError = true)]
    public static extern int tcsetattr(int fd, int optionalActions, byte* termios);

    [DllImport("libc")]
    public static extern void cfmakeraw(byte* termios);

    [DllImport("libc", SetLastError = true)]
    public static extern int fcntl(int fd, int cmd, int arg);

    [DllImport("libc", SetLastError = true)]
    public static extern int ioctl(int fd, nuint request, int* arg);

    [DllImport("libc", SetLastError = true)]
    public static extern nint read(int fd, byte* buf, nint count);

    [DllImport("libc", SetLastError = true)]
    public static extern nint write(int fd, byte* buf, nint count);

    [DllImport("libc", SetLastError = true)]
    public static extern int poll(PollFd* fds, nuint nfds, int timeoutMs);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);

    public static IOException Fail(string what) =>
        new($"{what} failed: errno {Marshal.GetLastPInvokeError()} ({Marshal.GetLastPInvokeErrorMessage()}).");
}
