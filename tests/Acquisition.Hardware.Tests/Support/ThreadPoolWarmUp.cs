using System.Runtime.CompilerServices;

namespace Acquisition.Hardware.Tests.Support;

/// <summary>
/// The simulator's virtual clock jumps to the next timer once nothing it can see is happening for its quiescence
/// window. It cannot see the driver's thread-pool continuations: when parallel test classes start together on a
/// 2-core machine the pool (2 threads, growing ~1 per 0.5 s) may leave a reply that was already read from the pty
/// unrouted for longer than that window, and the clock then jumps to the driver's timeout (seen: "$H not answered
/// within 142 s" 300 ms into a run). Enough pool threads from the start remove that starvation.
/// </summary>
internal static class ThreadPoolWarmUp
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var worker, out var io);
        ThreadPool.SetMinThreads(Math.Max(worker, 64), Math.Max(io, 64));
    }
}
