using System.Reflection;

namespace Acquisition.Station.Hosting;

/// <summary>Facts about this running daemon for the status API: version and when it started.</summary>
public sealed class StationInfo(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public string SoftwareVersion { get; } =
        typeof(StationInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(StationInfo).Assembly.GetName().Version?.ToString() ?? "unknown";

    public TimeSpan Uptime => time.GetElapsedTime(_started);
}
