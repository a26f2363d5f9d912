using System.Diagnostics;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// Kills its own process with SIGKILL the Nth time a named checkpoint is reached, and logs every chunk before it goes
/// on the wire ("SEND digest offset length"), so the parent can count what each resume re-sent.
/// </summary>
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

    public void Sending(string blobDigest, long offset, int length)
    {
        Console.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SEND {blobDigest} {offset} {length}"));
        Console.Out.Flush();
    }
}
