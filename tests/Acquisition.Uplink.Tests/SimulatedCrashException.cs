namespace Acquisition.Uplink.Tests;

/// <summary>Thrown from a checkpoint to abandon an upload the way a crash would (no cleanup code runs after it).</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException(string message) : base(message)
    {
    }
}
