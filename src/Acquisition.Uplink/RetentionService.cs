using Acquisition.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Uplink;

/// <summary>
/// Deletes local packages only when they are delivered and verified at every destination they were routed to, the
/// retention period has passed since the last delivery, and no legal hold stands. Every deletion and every hold
/// change goes into the audit log first. The control API's hold endpoints call <see cref="SetHoldAsync"/> and
/// <see cref="ReleaseHoldAsync"/>.
/// </summary>
public sealed class RetentionService
{
    private readonly Outbox _outbox;
    private readonly AuditLog _audit;
    private readonly UplinkOptions _options;
    private readonly TimeProvider _time;
    private readonly DataDirectory _data;
    private readonly ILogger _logger;

    public RetentionService(Outbox outbox, AuditLog audit, DataDirectory data, UplinkOptions options, TimeProvider time, ILogger? logger = null)
    {
        _outbox = outbox;
        _audit = audit;
        _data = data;
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    public async Task SetHoldAsync(string captureId, string reason, string user, CancellationToken cancellationToken)
    {
        await _audit.AppendAsync(user, "retention.hold-set", new { captureId, reason }, cancellationToken).ConfigureAwait(false);
        await _outbox.SetHoldAsync(captureId, reason, user, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReleaseHoldAsync(string captureId, string user, CancellationToken cancellationToken)
    {
        await _audit.AppendAsync(user, "retention.hold-released", new { captureId }, cancellationToken).ConfigureAwait(false);
        return await _outbox.ReleaseHoldAsync(captureId, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<LegalHold>> ListHoldsAsync(CancellationToken cancellationToken) => _outbox.ListHoldsAsync(cancellationToken);

    /// <summary>Deletes every eligible package; returns the capture ids deleted.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(string user, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        if (!_options.RetentionEnabled)
        {
            return deleted;
        }
        var cutoff = _time.GetUtcNow() - _options.RetentionPeriod;
        foreach (var (captureId, packagePath, digest) in await _outbox.DeletableAsync(cutoff, cancellationToken).ConfigureAwait(false))
        {
            // Re-checked right before deleting: a hold set a moment ago wins.
            if (await _outbox.IsHeldAsync(captureId, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }
            // A correction stays while its original does (held, or rejected somewhere): the next correction is
            // numbered, and builds its old values, from the corrections beside the original, so deleting one would
            // reuse its number and its registry tag for different content. Both go together once the original goes
            // (the original queued first, so it is deleted first in the same run).
            if (Outbox.SupplementOf(packagePath) is { } original && Directory.Exists(Path.Combine(_data.Packages, original)))
            {
                continue;
            }
            var deliveries = await _outbox.GetAsync(captureId, cancellationToken).ConfigureAwait(false);
            await _audit.AppendAsync(user, "retention.package-deleted", new
            {
                captureId,
                ociManifestDigest = digest,
                destinations = deliveries.Select(d => new { d.Destination, d.VerifiedDigest, deliveredAt = d.DeliveredAt }).ToArray(),
                retentionDays = _options.RetentionPeriod.TotalDays,
            }, cancellationToken).ConfigureAwait(false);
            if (Directory.Exists(packagePath))
            {
                // Renamed out of packages/ first, so a half-deleted directory is never mistaken for a package.
                var doomed = Path.Combine(_data.Tmp, captureId + ".deleting");
                Directory.Move(packagePath, doomed);
                Directory.Delete(doomed, recursive: true);
            }
            await _outbox.MarkDeletedAsync(captureId, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Deleted local package {CaptureId} after retention", captureId);
            deleted.Add(captureId);
        }
        return deleted;
    }
}
