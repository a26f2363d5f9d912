namespace Acquisition.Uplink;

/// <summary>Configuration section "Uplink". Validated at start by <see cref="UplinkOptionsValidator"/>.</summary>
public sealed class UplinkOptions
{
    public const string SectionName = "Uplink";

    public List<UplinkDestinationOptions> Destinations { get; set; } = [];

    /// <summary>PATCH chunk size; the most re-sent after a kill. Default 8 MiB.</summary>
    public int ChunkSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Optional upload limit per destination; null for none.</summary>
    public long? BandwidthLimitBytesPerSecond { get; set; }

    /// <summary>Time limit of one HTTP request (covers a slow-loris answer).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>First delay before retrying a failed delivery; doubles per attempt, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the service looks for new packages and due retries when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Local packages are deleted this long after they are delivered and verified everywhere.</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(90);

    /// <summary>False keeps every package locally for ever.</summary>
    public bool RetentionEnabled { get; set; } = true;

    /// <summary>Only packages signed by the station's own (current or retired) keys are uploaded.</summary>
    public bool RequireStationSigner { get; set; } = true;
}
