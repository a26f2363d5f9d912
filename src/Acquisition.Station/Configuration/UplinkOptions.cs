namespace Acquisition.Station.Configuration;

/// <summary>
/// The "Uplink" section: where sealed packages are pushed and how. A setting left out keeps the uplink library's
/// default (docs/configuration.md lists them), so the defaults live in one place.
/// </summary>
public sealed class UplinkOptions
{
    public const string Section = "Uplink";

    /// <summary>Empty: packages go to the OCI image layout &lt;data&gt;/oci-export (the demo's embedded default).</summary>
    public List<UplinkDestination> Destinations { get; set; } = [];

    /// <summary>Size of one PATCH; the most a resume re-sends on a registry that reports the true offset.</summary>
    public int? ChunkSizeBytes { get; set; }

    /// <summary>Upload limit per destination; absent for none.</summary>
    public long? BandwidthLimitBytesPerSecond { get; set; }

    /// <summary>Time limit of one HTTP request (head and body each).</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>First retry delay of a failed delivery; doubles per attempt with jitter up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan? RetryInitialDelay { get; set; }

    public TimeSpan? RetryMaxDelay { get; set; }

    /// <summary>How often the uplink looks for new packages and due retries when nothing wakes it.</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>False keeps every package locally for ever.</summary>
    public bool? RetentionEnabled { get; set; }

    /// <summary>Local packages are deleted this long after they are delivered and verified everywhere (never under a legal hold).</summary>
    public TimeSpan? RetentionPeriod { get; set; }

    /// <summary>Only packages signed by the station's own (current or retired) keys are uploaded.</summary>
    public bool? RequireStationSigner { get; set; }
}
