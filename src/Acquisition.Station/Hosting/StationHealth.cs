namespace Acquisition.Station.Hosting;

/// <summary>
/// The worker's heartbeat. The systemd watchdog is pinged only while the worker keeps beating, so a hung worker
/// gets the service restarted instead of sitting silently in front of the operator.
/// </summary>
public sealed class StationHealth(TimeProvider time)
{
    private long _lastBeat = time.GetTimestamp();

    public void Beat() => Interlocked.Exchange(ref _lastBeat, time.GetTimestamp());

    public bool IsAlive(TimeSpan tolerance) => time.GetElapsedTime(Interlocked.Read(ref _lastBeat)) <= tolerance;
}
