using Acquisition.Core.Hardware;
using Acquisition.Packaging;
using Acquisition.Uplink;
using Acquisition.Workflow.Capture;
using Microsoft.Extensions.Options;
using UplinkServiceOptions = Acquisition.Uplink.UplinkOptions;

namespace Acquisition.Station.Uplink;

/// <summary>
/// Queues each package in the outbox right after the capture sequence seals it, whichever front end started the
/// capture (button, POST /capture, technician page all run <see cref="CaptureSequence.RunAsync"/>). The outbox
/// itself refuses anything but a "complete" package that verifies, and queues a capture id only once. Packages
/// sealed while the daemon was down (a crash between seal and enqueue) are picked up by the uplink service's
/// start-up scan of packages/.
/// </summary>
public sealed class PackageSealedEnqueuer(IServiceProvider services, Outbox outbox, StationKeyStore keys, IOptions<UplinkServiceOptions> options,
    ILogger<PackageSealedEnqueuer> log) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Task> _pending = [];
    private readonly CancellationTokenSource _stopping = new();
    private CaptureSequence? _sequence;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ICamera>() is null)
        {
            log.LogInformation("No camera in this build: only packages already in packages/ are queued for the uplink.");
            return Task.CompletedTask;
        }
        _sequence = services.GetRequiredService<CaptureSequence>();
        _sequence.Finished += OnFinished;
        return Task.CompletedTask;
    }

    /// <summary>Queues one finished capture; an outcome without a package (refused before anything was written) is ignored.</summary>
    public async Task<EnqueueResult?> EnqueueAsync(CaptureOutcome outcome, CancellationToken cancellationToken) =>
        outcome.PackagePath is null ? null : await EnqueuePackageAsync(outcome.PackagePath, cancellationToken).ConfigureAwait(false);

    /// <summary>Queues one sealed package directory, trusting the station's current and retired keys as the uplink does.</summary>
    public async Task<EnqueueResult> EnqueuePackageAsync(string packagePath, CancellationToken cancellationToken)
    {
        var trusted = options.Value.RequireStationSigner && keys.HasKey ? keys.TrustedKeyIds() : null;
        var result = await outbox.EnqueueAsync(packagePath, trusted, cancellationToken).ConfigureAwait(false);
        log.LogInformation("Package {CaptureId} {Outcome} for upload to {Destinations}{Problems}", result.CaptureId, result.Outcome,
            string.Join(", ", result.Destinations), result.Problems.Count == 0 ? "" : ": " + string.Join("; ", result.Problems));
        return result;
    }

    private void OnFinished(object? sender, CaptureOutcome outcome)
    {
        // Raised on the capture's own path: the (verifying, hashing) enqueue must not delay the operator's result.
        var task = Task.Run(async () =>
        {
            try
            {
                await EnqueueAsync(outcome, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is IOException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or UnauthorizedAccessException)
            {
                // Not lost: the package stays in packages/ and the uplink's next scan queues it.
                log.LogError(ex, "Queueing package {Package} failed; the uplink's next scan will queue it", outcome.PackagePath);
            }
        }, CancellationToken.None);
        lock (_gate)
        {
            _pending.RemoveAll(t => t.IsCompleted);
            _pending.Add(task);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_sequence is not null)
        {
            _sequence.Finished -= OnFinished;
        }
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }
        // Let a started enqueue finish (it is one short transaction); cancel only when the host's budget runs out.
        using var stopOnBudget = cancellationToken.Register(_stopping.Cancel);
        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();
}
