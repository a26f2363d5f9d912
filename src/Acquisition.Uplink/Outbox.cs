using Acquisition.Packaging;
using Microsoft.Data.Sqlite;

namespace Acquisition.Uplink;

/// <summary>
/// The durable upload queue in SQLite (WAL; synchronous=FULL for state changes: on disk before the call returns,
/// so a kill -9 or a power cut at any instant loses nothing that was reported done). One row per capture, one per
/// (capture, destination) delivery, one per (capture, destination, blob) upload progress, plus legal holds.
/// </summary>
public sealed class Outbox
{
    private readonly string _connectionString;
    private readonly IReadOnlyList<(string Name, DestinationRoute Route)> _destinations;
    private readonly TimeProvider _time;
    private readonly IUplinkCheckpoints _checkpoints;
    private readonly SemaphoreSlim _enqueueGate = new(1, 1);

    public Outbox(string databasePath, IReadOnlyList<(string Name, DestinationRoute Route)> destinations, TimeProvider timeProvider, IUplinkCheckpoints? checkpoints = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        _destinations = destinations;
        _time = timeProvider;
        _checkpoints = checkpoints ?? NoCheckpoints.Instance;
        Initialize();
    }

    public string DatabasePath { get; }

    /// <summary>Raised after a package is newly enqueued, so the uplink service can wake up.</summary>
    public event EventHandler<string>? Enqueued;

    /// <summary>
    /// Raised with the capture id after a delivery's state or reason was committed (uploading, retry scheduled,
    /// delivered, rejected, put back by an operator), so a screen can follow the upload without polling.
    /// </summary>
    public event EventHandler<string>? DeliveryChanged;

    private void Initialize()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using var c = Open();
        Exec(c, "PRAGMA journal_mode=WAL;");
        Exec(c, """
            CREATE TABLE IF NOT EXISTS captures(
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              capture_id TEXT NOT NULL UNIQUE,
              package_path TEXT NOT NULL,
              enqueued_at INTEGER NOT NULL,
              flagged INTEGER NOT NULL,
              oci_manifest BLOB NOT NULL,
              oci_manifest_digest TEXT NOT NULL,
              deleted_at INTEGER);
            CREATE TABLE IF NOT EXISTS deliveries(
              capture_id TEXT NOT NULL,
              destination TEXT NOT NULL,
              state TEXT NOT NULL,
              reason TEXT,
              server_error TEXT,
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at INTEGER,
              updated_at INTEGER NOT NULL,
              delivered_at INTEGER,
              verified_digest TEXT,
              PRIMARY KEY(capture_id, destination));
            CREATE TABLE IF NOT EXISTS blobs(
              capture_id TEXT NOT NULL,
              destination TEXT NOT NULL,
              digest TEXT NOT NULL,
              size INTEGER NOT NULL,
              upload_url TEXT,
              confirmed_offset INTEGER NOT NULL DEFAULT 0,
              done INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY(capture_id, destination, digest));
            CREATE TABLE IF NOT EXISTS holds(
              capture_id TEXT PRIMARY KEY,
              reason TEXT NOT NULL,
              set_by TEXT NOT NULL,
              set_at INTEGER NOT NULL);
            """);
    }

    // State changes (captures, deliveries, holds) commit with synchronous=FULL: on disk before the call returns,
    // even across a power cut. Per-chunk upload progress commits with NORMAL: in WAL mode that survives a process
    // kill, and a power cut can at worst roll back the last offsets, which costs a resume from an earlier point or a
    // restart of that one blob, never evidence. It saves an fsync per chunk on the upload path.
    private SqliteConnection Open(bool fullSync = true)
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        Exec(c, fullSync ? "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;" : "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return c;
    }

    private static void Exec(SqliteConnection c, string sql, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        }
        cmd.ExecuteNonQuery();
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Queues a sealed package once. Only a "complete" capture that verifies is queued for upload; a package that
    /// does not verify is recorded as Rejected with every problem and is never uploaded. A correction supplement is
    /// queued behind the capture it corrects, as a referrer of it (see EnqueueCorrectionAsync).
    /// </summary>
    public async Task<EnqueueResult> EnqueueAsync(string packagePath, IReadOnlyCollection<string>? trustedKeyIds, CancellationToken cancellationToken)
    {
        packagePath = Path.GetFullPath(packagePath);
        var dirName = Path.GetFileName(packagePath);
        await _enqueueGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsKnown(dirName))
            {
                return new EnqueueResult(dirName, EnqueueOutcome.AlreadyQueued, [], [], null);
            }
            if (SupplementOf(packagePath) is { } originalId)
            {
                return await EnqueueCorrectionAsync(packagePath, dirName, originalId, trustedKeyIds, cancellationToken).ConfigureAwait(false);
            }
            CaptureSummary? capture = null;
            var problems = new List<string>();
            try
            {
                capture = CaptureSummary.Parse(await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Capture), cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
            {
                problems.Add($"capture.json cannot be read: {ex.Message}");
            }
            if (capture is { IsComplete: false })
            {
                return new EnqueueResult(dirName, EnqueueOutcome.NotComplete, [], [$"capture status is '{capture.Status}', only 'complete' captures are uploaded"], null);
            }
            var verification = await PackageVerifier.VerifyAsync(packagePath, trustedKeyIds, cancellationToken).ConfigureAwait(false);
            problems.AddRange(verification.Problems);
            if (capture is not null && capture.CaptureId != dirName)
            {
                problems.Add($"capture.json is for capture {capture.CaptureId} but the package directory is {dirName}");
            }
            OciArtifact? artifact = null;
            if (problems.Count == 0)
            {
                artifact = await OciArtifact.FromPackageAsync(packagePath, cancellationToken).ConfigureAwait(false);
            }
            var flagged = capture?.SearchProtocolFlagged ?? false;
            var routed = _destinations.Where(d => d.Route == DestinationRoute.All || flagged).Select(d => d.Name).ToArray();
            if (problems.Count > 0)
            {
                // Reported on every destination it would have gone to, so the console and technician page show it.
                routed = routed.Length > 0 ? routed : _destinations.Select(d => d.Name).ToArray();
            }
            return Commit(dirName, packagePath, flagged, artifact, routed, problems);
        }
        finally
        {
            _enqueueGate.Release();
        }
    }

    /// <summary>The original's id when the package's manifest says it is a supplement; null otherwise (or unreadable: the capture path names that).</summary>
    internal static string? SupplementOf(string packagePath)
    {
        try
        {
            return PackageManifest.Parse(File.ReadAllBytes(Path.Combine(packagePath, PackageFiles.Manifest))).SupplementOf;
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Queues a correction supplement once, as its own artifact whose subject is the original's recorded OCI manifest and
    /// which goes to the destinations the original went to (after it: destinations drain in queue order). A correction
    /// of a capture that was never queued for upload (aborted, failed, refused by the outbox) stays local, like its
    /// original. One that does not verify, or that references other manifest bytes than the ones queued, is Rejected.
    /// </summary>
    private async Task<EnqueueResult> EnqueueCorrectionAsync(string packagePath, string dirName, string originalId, IReadOnlyCollection<string>? trustedKeyIds, CancellationToken cancellationToken)
    {
        var original = OriginalForCorrection(originalId);
        if (original is null || original.Value.OciManifest.Length == 0)
        {
            return new EnqueueResult(dirName, EnqueueOutcome.NotComplete, [],
                [original is null
                    ? $"it corrects capture {originalId}, which is not queued for upload (not complete, or not queued yet); the correction stays local like its original"
                    : $"it corrects capture {originalId}, which the outbox rejected; the correction stays local like its original"], null);
        }
        var (originalManifest, originalDigest, flagged, originalRoutes) = original.Value;
        var problems = new List<string>();
        var packagesDirectory = Path.GetDirectoryName(packagePath)!;
        var verification = Directory.Exists(Path.Combine(packagesDirectory, originalId))
            ? await CorrectionVerifier.VerifyAsync(packagePath, packagesDirectory, trustedKeyIds, cancellationToken).ConfigureAwait(false)
            // The original may already be gone (retention after delivery): its queued artifact still records its manifest.json hash.
            : await PackageVerifier.VerifyAsync(packagePath, trustedKeyIds, cancellationToken).ConfigureAwait(false);
        problems.AddRange(verification.Problems);
        CorrectionRecord? correction = null;
        try
        {
            correction = CorrectionRecord.Parse(await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Correction), cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            problems.Add($"{PackageFiles.Correction} cannot be read: {ex.Message}");
        }
        var queuedManifestJson = OciArtifact.FromManifestBytes(originalId, originalManifest).Layers.FirstOrDefault(l => l.RelativePath == PackageFiles.Manifest);
        if (correction is not null && queuedManifestJson is not null && queuedManifestJson.Hex != correction.OriginalManifestSha256)
        {
            problems.Add($"the correction references manifest.json {correction.OriginalManifestSha256} of {originalId}, but the capture was queued with {queuedManifestJson.Hex}");
        }
        if (correction is not null && (correction.CorrectionId != dirName || correction.OriginalCaptureId != originalId))
        {
            problems.Add($"{PackageFiles.Correction} is for correction {correction.CorrectionId} of {correction.OriginalCaptureId}, but the package is {dirName}, a supplement of {originalId}");
        }
        OciArtifact? artifact = null;
        if (problems.Count == 0)
        {
            artifact = await OciArtifact.FromCorrectionPackageAsync(packagePath, new OciSubject(OciMediaTypes.ImageManifest, originalDigest, originalManifest.LongLength), cancellationToken).ConfigureAwait(false);
        }
        var routed = originalRoutes.Length > 0 ? originalRoutes : _destinations.Select(d => d.Name).ToArray();
        return Commit(dirName, packagePath, flagged, artifact, routed, problems);
    }

    /// <summary>
    /// The one insert of a package into the outbox (a capture or a correction), between the crash-test checkpoints:
    /// queued exactly once, Rejected with its problems, or Enqueued and announced.
    /// </summary>
    private EnqueueResult Commit(string dirName, string packagePath, bool flagged, OciArtifact? artifact, string[] routed, List<string> problems)
    {
        _checkpoints.Reached("enqueue.before-commit");
        try
        {
            InsertCapture(dirName, packagePath, flagged, artifact, routed, problems);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
        {
            // Another process (the console, a second daemon by mistake) queued it first: still exactly once.
            return new EnqueueResult(dirName, EnqueueOutcome.AlreadyQueued, [], [], null);
        }
        _checkpoints.Reached("enqueue.after-commit");
        if (problems.Count > 0)
        {
            return new EnqueueResult(dirName, EnqueueOutcome.Rejected, routed, problems, null);
        }
        Enqueued?.Invoke(this, dirName);
        return new EnqueueResult(dirName, EnqueueOutcome.Enqueued, routed, [], artifact!.ManifestDigest);
    }

    /// <summary>The original's queued OCI manifest, its digest, routing flag and destinations; null when it is not in the outbox.</summary>
    private (byte[] OciManifest, string OciManifestDigest, bool Flagged, string[] Destinations)? OriginalForCorrection(string originalId)
    {
        using var c = Open();
        byte[] manifest;
        string digest;
        bool flagged;
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT oci_manifest, oci_manifest_digest, flagged FROM captures WHERE capture_id=$id";
            cmd.Parameters.AddWithValue("$id", originalId);
            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }
            manifest = (byte[])r.GetValue(0);
            digest = r.GetString(1);
            flagged = r.GetInt64(2) != 0;
        }
        var destinations = new List<string>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT destination FROM deliveries WHERE capture_id=$id ORDER BY destination";
            cmd.Parameters.AddWithValue("$id", originalId);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                destinations.Add(r.GetString(0));
            }
        }
        return (manifest, digest, flagged, [.. destinations]);
    }

    private void InsertCapture(string dirName, string packagePath, bool flagged, OciArtifact? artifact, string[] routed, List<string> problems)
    {
        var now = NowMs();
        using (var c = Open())
        using (var tx = c.BeginTransaction())
        {
            Exec(c, "INSERT INTO captures(capture_id, package_path, enqueued_at, flagged, oci_manifest, oci_manifest_digest) VALUES($id,$p,$t,$f,$m,$d)", tx,
                ("$id", dirName), ("$p", packagePath), ("$t", now), ("$f", flagged ? 1 : 0),
                ("$m", artifact?.ManifestBytes ?? []), ("$d", artifact?.ManifestDigest ?? ""));
            foreach (var dest in routed)
            {
                Exec(c, "INSERT INTO deliveries(capture_id, destination, state, reason, updated_at) VALUES($id,$dest,$s,$r,$t)", tx,
                    ("$id", dirName), ("$dest", dest),
                    ("$s", (problems.Count == 0 ? DeliveryState.Pending : DeliveryState.Rejected).ToString()),
                    ("$r", problems.Count == 0 ? null : "package does not verify: " + string.Join("; ", problems)), ("$t", now));
            }
            tx.Commit();
        }
    }

    /// <summary>Enqueues every sealed package under <paramref name="packagesDirectory"/> not yet known (a crash between sealing and enqueue loses nothing).</summary>
    public async Task<IReadOnlyList<EnqueueResult>> EnqueueNewPackagesAsync(string packagesDirectory, IReadOnlyCollection<string>? trustedKeyIds, CancellationToken cancellationToken)
    {
        var results = new List<EnqueueResult>();
        if (!Directory.Exists(packagesDirectory))
        {
            return results;
        }
        // ULIDs sort by time, so the oldest capture is queued first.
        foreach (var dir in Directory.EnumerateDirectories(packagesDirectory).Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileName(dir);
            if (!PackagePaths.IsCaptureId(id) || IsKnown(id))
            {
                continue;
            }
            var r = await EnqueueAsync(dir, trustedKeyIds, cancellationToken).ConfigureAwait(false);
            if (r.Outcome != EnqueueOutcome.NotComplete)
            {
                results.Add(r);
            }
        }
        return results;
    }

    private bool IsKnown(string captureId)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM captures WHERE capture_id=$id";
        cmd.Parameters.AddWithValue("$id", captureId);
        return cmd.ExecuteScalar() is not null;
    }

    private const string DeliverySelect = """
        SELECT c.seq, d.capture_id, d.destination, c.package_path, d.state, d.reason, d.server_error, d.attempts,
               c.enqueued_at, d.next_attempt_at, d.delivered_at, c.oci_manifest_digest, d.verified_digest
        FROM deliveries d JOIN captures c ON c.capture_id = d.capture_id
        """;

    private static OutboxDelivery ReadDelivery(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), Enum.Parse<DeliveryState>(r.GetString(4)),
        r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetInt32(7),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
        r.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
        r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12));

    private List<OutboxDelivery> Query(string where, params (string, object?)[] args)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = DeliverySelect + " " + where;
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        }
        using var r = cmd.ExecuteReader();
        var list = new List<OutboxDelivery>();
        while (r.Read())
        {
            list.Add(ReadDelivery(r));
        }
        return list;
    }

    /// <summary>Every delivery, oldest capture first.</summary>
    public Task<IReadOnlyList<OutboxDelivery>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<OutboxDelivery>>(Query("ORDER BY c.seq, d.destination"));
    }

    /// <summary>The deliveries of one capture.</summary>
    public Task<IReadOnlyList<OutboxDelivery>> GetAsync(string captureId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<OutboxDelivery>>(Query("WHERE d.capture_id=$id ORDER BY d.destination", ("$id", captureId)));
    }

    /// <summary>The oldest unfinished delivery for a destination (due or not): destinations drain strictly in order.</summary>
    public Task<OutboxDelivery?> OldestUnfinishedAsync(string destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = Query("WHERE d.destination=$dest AND d.state IN ('Pending','Uploading') ORDER BY c.seq LIMIT 1", ("$dest", destination));
        return Task.FromResult(list.FirstOrDefault());
    }

    /// <summary>The recorded OCI manifest bytes of a capture (deterministic, recorded at enqueue).</summary>
    public Task<OciArtifact> GetArtifactAsync(string captureId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT oci_manifest FROM captures WHERE capture_id=$id";
        cmd.Parameters.AddWithValue("$id", captureId);
        var bytes = cmd.ExecuteScalar() as byte[] ?? throw new InvalidOperationException($"Capture {captureId} is not in the outbox.");
        return Task.FromResult(OciArtifact.FromManifestBytes(captureId, bytes));
    }

    public Task<IReadOnlyDictionary<string, BlobProgress>> GetBlobProgressAsync(string captureId, string destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT digest, size, upload_url, confirmed_offset, done FROM blobs WHERE capture_id=$id AND destination=$dest";
        cmd.Parameters.AddWithValue("$id", captureId);
        cmd.Parameters.AddWithValue("$dest", destination);
        using var r = cmd.ExecuteReader();
        var result = new Dictionary<string, BlobProgress>(StringComparer.Ordinal);
        while (r.Read())
        {
            result[r.GetString(0)] = new BlobProgress(r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3), r.GetInt64(4) != 0);
        }
        return Task.FromResult<IReadOnlyDictionary<string, BlobProgress>>(result);
    }

    public Task SaveBlobProgressAsync(string captureId, string destination, BlobProgress progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open(fullSync: false);
        Exec(c, """
            INSERT INTO blobs(capture_id, destination, digest, size, upload_url, confirmed_offset, done) VALUES($id,$dest,$dg,$sz,$u,$o,$done)
            ON CONFLICT(capture_id, destination, digest) DO UPDATE SET upload_url=excluded.upload_url, confirmed_offset=excluded.confirmed_offset, done=excluded.done
            """, null,
            ("$id", captureId), ("$dest", destination), ("$dg", progress.Digest), ("$sz", progress.Size),
            ("$u", progress.UploadUrl), ("$o", progress.ConfirmedOffset), ("$done", progress.Done ? 1 : 0));
        return Task.CompletedTask;
    }

    public Task MarkUploadingAsync(string captureId, string destination, CancellationToken cancellationToken) =>
        SetState(captureId, destination, DeliveryState.Uploading, null, null, null, null, false, cancellationToken);

    public Task MarkDeliveredAsync(string captureId, string destination, string verifiedDigest, CancellationToken cancellationToken) =>
        SetState(captureId, destination, DeliveryState.Delivered, null, null, null, verifiedDigest, false, cancellationToken);

    public Task MarkRejectedAsync(string captureId, string destination, string reason, string? serverError, CancellationToken cancellationToken) =>
        SetState(captureId, destination, DeliveryState.Rejected, reason, serverError, null, null, true, cancellationToken);

    /// <summary>Keeps the delivery queued, records why it failed this time and when to try again.</summary>
    public Task ScheduleRetryAsync(string captureId, string destination, string reason, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        SetState(captureId, destination, DeliveryState.Uploading, reason, null, nextAttemptAt, null, true, cancellationToken);

    private Task SetState(string captureId, string destination, DeliveryState state, string? reason, string? serverError, DateTimeOffset? next, string? verified, bool countAttempt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        Exec(c, """
            UPDATE deliveries SET state=$s, reason=$r, server_error=$e, next_attempt_at=$n, updated_at=$t,
              attempts = attempts + $a,
              delivered_at = CASE WHEN $s='Delivered' THEN $t ELSE delivered_at END,
              verified_digest = COALESCE($v, verified_digest)
            WHERE capture_id=$id AND destination=$dest
            """, null,
            ("$s", state.ToString()), ("$r", reason), ("$e", serverError), ("$n", next?.ToUnixTimeMilliseconds()), ("$t", NowMs()),
            ("$a", countAttempt ? 1 : 0), ("$v", verified), ("$id", captureId), ("$dest", destination));
        DeliveryChanged?.Invoke(this, captureId);
        return Task.CompletedTask;
    }

    /// <summary>Operator action: puts a Rejected (or any unfinished) delivery back to Pending with fresh upload state.</summary>
    public Task<int> RetryAsync(string captureId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE deliveries SET state='Pending', reason=NULL, server_error=NULL, next_attempt_at=NULL, updated_at=$t WHERE capture_id=$id AND state<>'Delivered' AND EXISTS(SELECT 1 FROM captures WHERE capture_id=$id AND oci_manifest_digest<>'')";
        cmd.Parameters.AddWithValue("$t", NowMs());
        cmd.Parameters.AddWithValue("$id", captureId);
        var n = cmd.ExecuteNonQuery();
        Exec(c, "DELETE FROM blobs WHERE capture_id=$id", tx, ("$id", captureId));
        tx.Commit();
        if (n > 0)
        {
            DeliveryChanged?.Invoke(this, captureId);
        }
        return Task.FromResult(n);
    }

    public Task SetHoldAsync(string captureId, string reason, string setBy, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(setBy);
        using var c = Open();
        Exec(c, "INSERT INTO holds(capture_id, reason, set_by, set_at) VALUES($id,$r,$u,$t) ON CONFLICT(capture_id) DO UPDATE SET reason=excluded.reason, set_by=excluded.set_by, set_at=excluded.set_at", null,
            ("$id", captureId), ("$r", reason), ("$u", setBy), ("$t", NowMs()));
        return Task.CompletedTask;
    }

    public Task<bool> ReleaseHoldAsync(string captureId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM holds WHERE capture_id=$id";
        cmd.Parameters.AddWithValue("$id", captureId);
        return Task.FromResult(cmd.ExecuteNonQuery() > 0);
    }

    public Task<IReadOnlyList<LegalHold>> ListHoldsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT capture_id, reason, set_by, set_at FROM holds ORDER BY capture_id";
        using var r = cmd.ExecuteReader();
        var list = new List<LegalHold>();
        while (r.Read())
        {
            list.Add(new LegalHold(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))));
        }
        return Task.FromResult<IReadOnlyList<LegalHold>>(list);
    }

    /// <summary>
    /// Captures delivered and verified at every destination they were routed to, delivered before
    /// <paramref name="deliveredBefore"/>, not deleted and not under a legal hold.
    /// </summary>
    public Task<IReadOnlyList<(string CaptureId, string PackagePath, string OciManifestDigest)>> DeletableAsync(DateTimeOffset deliveredBefore, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT c.capture_id, c.package_path, c.oci_manifest_digest FROM captures c
            WHERE c.deleted_at IS NULL AND c.oci_manifest_digest <> ''
              AND EXISTS (SELECT 1 FROM deliveries d WHERE d.capture_id = c.capture_id)
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.capture_id = c.capture_id
                    AND (d.state <> 'Delivered' OR d.verified_digest IS NULL OR d.verified_digest <> c.oci_manifest_digest OR d.delivered_at >= $before))
              AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.capture_id = c.capture_id)
            ORDER BY c.seq
            """;
        cmd.Parameters.AddWithValue("$before", deliveredBefore.ToUnixTimeMilliseconds());
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string, string)>();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        return Task.FromResult<IReadOnlyList<(string, string, string)>>(list);
    }

    public Task<bool> IsHeldAsync(string captureId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM holds WHERE capture_id=$id";
        cmd.Parameters.AddWithValue("$id", captureId);
        return Task.FromResult(cmd.ExecuteScalar() is not null);
    }

    public Task MarkDeletedAsync(string captureId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Open();
        Exec(c, "UPDATE captures SET deleted_at=$t WHERE capture_id=$id", null, ("$t", NowMs()), ("$id", captureId));
        return Task.CompletedTask;
    }
}
