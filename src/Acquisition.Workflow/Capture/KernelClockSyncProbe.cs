using System.Runtime.InteropServices;

namespace Acquisition.Workflow.Capture;

/// <summary>
/// Reads the kernel's NTP state with adjtimex(2) in read-only mode (modes = 0): the clock is synchronised when the
/// call does not return TIME_ERROR and STA_UNSYNC is clear, which is what timedatectl's NTPSynchronized reports.
/// </summary>
public sealed partial class KernelClockSyncProbe : IClockSyncProbe
{
    private const int TimeError = 5;
    private const int StaUnsync = 0x0040;

    // struct timex on 64-bit Linux: modes (int) + padding, then offset, freq, maxerror, esterror (long each), then status (int).
    private const int StatusOffset = 40;
    private const int MaxErrorOffset = 24;
    private const int TimexSize = 208;

    public bool IsSynchronised(out string detail)
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8)
        {
            detail = "not a 64-bit Linux kernel: the NTP state cannot be read";
            return false;
        }
        var buffer = Marshal.AllocHGlobal(TimexSize + 64);
        try
        {
            unsafe
            {
                new Span<byte>((void*)buffer, TimexSize + 64).Clear();
            }
            var state = Adjtimex(buffer);
            if (state < 0)
            {
                detail = $"adjtimex failed (errno {Marshal.GetLastPInvokeError()})";
                return false;
            }
            var status = Marshal.ReadInt32(buffer, StatusOffset);
            var maxError = Marshal.ReadInt64(buffer, MaxErrorOffset);
            var synced = state != TimeError && (status & StaUnsync) == 0;
            detail = $"adjtimex state {state}, status 0x{status:x4}, maxerror {maxError} µs";
            return synced;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    [LibraryImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
    private static partial int Adjtimex(IntPtr timex);
}
