using Acquisition.Packaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Uplink;

/// <summary>
/// Drains the outbox: per destination, the oldest unfinished capture first, one at a time. A capture in back-off
/// holds up the ones behind it at that destination, so the server receives captures in the order they were taken.
/// Transient and authentication failures only postpone (exponential back-off with jitter, capped); a server that
/// refuses the content itself, or a package that no longer verifies, ends in Rejected with the reason.
/// </summary>
public sealed class UplinkProcessor
{
    private readonly Outbox _outbox;
    private readonly IReadOnlyList<IUplinkDestination> _destinations;
    private readonly UplinkOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<IReadOnlyCollection<string>?> _trustedKeyIds;
    private readonly ILogger _logger;
    private readonly HashSet<string> _manifestChecked = new(StringComparer.Ordinal);

    private readonly IUplinkCheckpoints _checkpoints;

    public UplinkProcessor(Outbox outbox, IReadOnlyList<IUplinkDestination> destinations, UplinkOptions options, TimeProvider time, Func<IReadOnlyCollection<string>?>? trustedKeyIds = null, ILogger? logger = null, IUplinkCheckpoints? checkpoints = null)
    {
        _checkpoints = checkpoints ?? NoCheckpoints.Instance;
        _outbox = outbox;
        _destinations = destinations;
        _options = options;
        _time = time;
        _trustedKeyIds = trustedKeyIds ?? (() => null);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Processes at most one due delivery per destination; returns how many it attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var attempted = 0;
        foreach (var destination in _destinations)
        {
            var next = await _outbox.OldestUnfinishedAsync(destination.Name, cancellationToken).ConfigureAwait(false);
            if (next is null || (next.NextAttemptAt is { } due && due > _time.GetUtcNow()))
            {
                continue;
            }
            attempted++;
            await ProcessAsync(destination, next, cancellationToken).ConfigureAwait(false);
        }
        return attempted;
    }

    /// <summary>Runs until no delivery is due (or everything is delivered/rejected); returns the attempts made.</summary>
    public async Task<int> DrainDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int n;
        while ((n = await RunOnceAsync(cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
        }
        return total;
    }

    /// <summary>The earliest time a queued delivery becomes due, or null when nothing is queued.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset? earliest = null;
        foreach (var destination in _destinations)
        {
            var next = await _outbox.OldestUnfinishedAsync(destination.Name, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                continue;
            }
            var due = next.NextAttemptAt ?? _time.GetUtcNow();
            earliest = earliest is null || due < earliest ? due : earliest;
        }
        return earliest;
    }

    private async Task ProcessAsync(IUplinkDestination destination, OutboxDelivery delivery, CancellationToken ct)
    {
        // The package was verified (manifest, signature, every file hash) at enqueue, and its OCI manifest recorded from
        // that verified state. Destinations re-hash every byte they send or copy against those recorded digests, so a
        // package changed since is rejected there; comparing manifest.json with its recorded digest here catches an edited manifest before anything is sent.
        if (!_manifestChecked.Contains(delivery.CaptureId))
        {
            var problem = await CheckManifestUnchangedAsync(delivery.PackagePath, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                var reason = "package no longer verifies, not uploaded: " + problem;
                _logger.LogError("Capture {CaptureId} to {Destination}: {Reason}", delivery.CaptureId, destination.Name, reason);
                await _outbox.MarkRejectedAsync(delivery.CaptureId, destination.Name, reason, null, ct).ConfigureAwait(false);
                return;
            }
            _manifestChecked.Add(delivery.CaptureId);
        }
        if (delivery.State == DeliveryState.Pending)
        {
            await _outbox.MarkUploadingAsync(delivery.CaptureId, destination.Name, ct).ConfigureAwait(false);
            _checkpoints.Reached("delivery.marked-uploading");
        }
        var artifact = await _outbox.GetArtifactAsync(delivery.CaptureId, ct).ConfigureAwait(false);
        try
        {
            var digest = await destination.DeliverAsync(delivery, artifact, _outbox, ct).ConfigureAwait(false);
            _checkpoints.Reached("delivery.verified");
            await _outbox.MarkDeliveredAsync(delivery.CaptureId, destination.Name, digest, ct).ConfigureAwait(false);
            _checkpoints.Reached("delivery.marked");
            _logger.LogInformation("Capture {CaptureId} delivered to {Destination} and verified as {Digest}", delivery.CaptureId, destination.Name, digest);
        }
        catch (UplinkFailureException ex) when (ex.Kind == UplinkFailureKind.Rejected)
        {
            _logger.LogError("Capture {CaptureId} rejected by {Destination}: {Reason} {ServerError}", delivery.CaptureId, destination.Name, ex.Message, ex.ServerError);
            await _outbox.MarkRejectedAsync(delivery.CaptureId, destination.Name, ex.Message, ex.ServerError, ct).ConfigureAwait(false);
        }
        catch (UplinkFailureException ex)
        {
            await PostponeAsync(destination, delivery, ex.Kind == UplinkFailureKind.Authentication ? "authentication failed (check the credentials file): " + ex.Message : ex.Message, ex.RetryAfter, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            await _outbox.MarkRejectedAsync(delivery.CaptureId, destination.Name, "a package file is missing: " + ex.Message, null, ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A full or unplugged removable medium, a flaky disk: keep the capture queued.
            await PostponeAsync(destination, delivery, "I/O error: " + ex.Message, null, ct).ConfigureAwait(false);
        }
    }

    private async Task<string?> CheckManifestUnchangedAsync(string packagePath, CancellationToken ct)
    {
        if (!Directory.Exists(packagePath))
        {
            return $"the package directory {packagePath} is missing";
        }
        var sealedDigest = await _outbox.GetArtifactAsync(Path.GetFileName(packagePath), ct).ConfigureAwait(false);
        var manifestBlob = sealedDigest.Layers.FirstOrDefault(l => l.RelativePath == PackageFiles.Manifest);
        var manifestPath = Path.Combine(packagePath, PackageFiles.Manifest);
        if (manifestBlob is null || !File.Exists(manifestPath))
        {
            return "manifest.json is missing";
        }
        var bytes = await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false);
        var actual = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        if (actual != manifestBlob.Digest)
        {
            return $"manifest.json was edited after it was queued ({actual}, queued as {manifestBlob.Digest})";
        }
        // The config is the package's record: capture.json, or correction.json for a correction supplement.
        foreach (var rel in new[] { sealedDigest.Config.RelativePath, PackageFiles.Signer, PackageFiles.Signature })
        {
            if (!File.Exists(Path.Combine(packagePath, rel)))
            {
                return $"{rel} is missing";
            }
        }
        return null;
    }

    private async Task PostponeAsync(IUplinkDestination destination, OutboxDelivery delivery, string reason, TimeSpan? retryAfter, CancellationToken ct)
    {
        var delay = Backoff(delivery.Attempts);
        if (retryAfter is { } ra && ra > delay)
        {
            delay = ra > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : ra; // a server's own word on when to come back wins, within reason
        }
        _logger.LogWarning("Capture {CaptureId} to {Destination}: {Reason}; retrying in {Delay}", delivery.CaptureId, destination.Name, reason, delay);
        await _outbox.ScheduleRetryAsync(delivery.CaptureId, destination.Name, reason, _time.GetUtcNow() + delay, ct).ConfigureAwait(false);
    }

    /// <summary>Exponential with "equal jitter": half fixed, half random, capped.</summary>
    internal TimeSpan Backoff(int attempts)
    {
        var exp = _options.RetryInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts, 30));
        var capped = Math.Min(exp, _options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
