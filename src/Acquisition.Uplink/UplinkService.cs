using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Acquisition.Uplink;

/// <summary>
/// The background uplink: at start it validates the options, queues any sealed package not yet in the outbox, then
/// drains due deliveries, applies retention, and sleeps until the next due retry, the poll interval, or a new
/// enqueue. Everything it knows is in the outbox, so it can be killed at any moment and resumes where it stood.
/// </summary>
public sealed class UplinkService : BackgroundService
{
    private readonly DataDirectory _data;
    private readonly UplinkOptions _options;
    private readonly TimeProvider _time;
    private readonly StationKeyStore? _keys;
    private readonly AuditLog? _audit;
    private readonly ILoggerFactory _loggers;
    private readonly IUplinkCheckpoints _checkpoints;
    private readonly IDurableFileSystem _fs;
    private readonly List<HttpClient> _clients = [];
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    public UplinkService(DataDirectory data, IOptions<UplinkOptions> options, TimeProvider time, StationKeyStore? keys = null, AuditLog? audit = null,
        ILoggerFactory? loggers = null, IUplinkCheckpoints? checkpoints = null, IDurableFileSystem? fileSystem = null)
    {
        _data = data;
        _options = options.Value;
        _time = time;
        _keys = keys;
        _audit = audit;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _checkpoints = checkpoints ?? NoCheckpoints.Instance;
        _fs = fileSystem ?? new PosixDurableFileSystem();
        UplinkOptionsValidator.ThrowIfInvalid(_options);
        Outbox = new Outbox(data.OutboxDatabase, _options.Destinations.Select(d => (d.Name, d.Route)).ToArray(), time, _checkpoints);
        Outbox.Enqueued += (_, _) => Wake();
        Destinations = _options.Destinations.Select(CreateDestination).ToArray();
        Processor = new UplinkProcessor(Outbox, Destinations, _options, time, TrustedKeyIds, _loggers.CreateLogger<UplinkProcessor>(), _checkpoints);
        Retention = audit is null ? null : new RetentionService(Outbox, audit, data, _options, time, _loggers.CreateLogger<RetentionService>());
    }

    public Outbox Outbox { get; }
    public IReadOnlyList<IUplinkDestination> Destinations { get; }
    public UplinkProcessor Processor { get; }

    /// <summary>Null when no audit log was given: deletion without an audit trail is not allowed.</summary>
    public RetentionService? Retention { get; }

    /// <summary>Makes the loop look at the outbox now (after an enqueue or an operator retry).</summary>
    public void Wake() => _wake.Release();

    private IReadOnlyCollection<string>? TrustedKeyIds() =>
        _options.RequireStationSigner && _keys is not null && _keys.HasKey ? _keys.TrustedKeyIds() : null;

    private IUplinkDestination CreateDestination(UplinkDestinationOptions d)
    {
        if (d.Kind == UplinkDestinationKind.OciLayout)
        {
            return new OciLayoutDestination(d.Name, d.LayoutPath!, _fs, _checkpoints);
        }
        var http = RegistryHttpClientFactory.Create(d, _options, _time);
        _clients.Add(http);
        var client = new RegistryClient(http, new Uri(d.RegistryUrl!), d.Repository, _time, _options.BandwidthLimitBytesPerSecond, _options.RequestTimeout, d.CaBundlePath);
        return new RegistryDestination(d.Name, client, _options.ChunkSizeBytes, _checkpoints);
    }

    /// <summary>One full pass: queue new packages, drain what is due, apply retention.</summary>
    public async Task RunPassAsync(CancellationToken cancellationToken)
    {
        await Outbox.EnqueueNewPackagesAsync(_data.Packages, TrustedKeyIds(), cancellationToken).ConfigureAwait(false);
        await Processor.DrainDueAsync(cancellationToken).ConfigureAwait(false);
        if (Retention is not null)
        {
            await Retention.RunAsync(Environment.UserName, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var logger = _loggers.CreateLogger<UplinkService>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunPassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                // The loop must survive a bad disk moment; the outbox still holds every capture.
                logger.LogError(ex, "Uplink pass failed; retrying after the poll interval");
            }
            var wait = _options.PollInterval;
            if (await Processor.NextDueAsync(stoppingToken).ConfigureAwait(false) is { } due)
            {
                var untilDue = due - _time.GetUtcNow();
                wait = untilDue < wait ? (untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue) : wait;
            }
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(wait, _time, timer.Token);
            var woken = _wake.WaitAsync(timer.Token);
            await Task.WhenAny(delay, woken).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(delay, woken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public override void Dispose()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }
        _wake.Dispose();
        base.Dispose();
    }
}
