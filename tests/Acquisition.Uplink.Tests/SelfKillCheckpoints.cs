using System.Diagnostics;

namespace Acquisition.Uplink.Tests;

/// <summary>Kills its own process with SIGKILL the Nth time a named checkpoint is reached.</summary>
public sealed class SelfKillCheckpoints(string? checkpoint, int hit) : IUplinkCheckpoints
{
    private int _hits;

    public void Reached(string name)
    {
        if (name == checkpoint && Interlocked.Increment(ref _hits) == hit)
        {
            Console.Out.WriteLine("KILL " + name + " " + hit);
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
        }
    }
}
