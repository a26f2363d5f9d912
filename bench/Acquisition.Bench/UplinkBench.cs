using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Uplink;

namespace Acquisition.Bench;

/// <summary>
/// Push throughput of the uplink for a 200 MB package against a plain HttpClient doing the same chunked uploads
/// (POST, PATCH with Content-Range, PUT ?digest=, PUT manifest) in the same run, alternating to share the machine's
/// noise; then the bytes re-sent when an upload is abandoned at several points and resumed by a fresh process state.
/// Needs /usr/bin/docker-registry. Usage: acquisition-bench uplink [sizeMB]
/// </summary>
internal static class UplinkBench
{
    private const int Chunk = 8 * 1024 * 1024;

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var sizeMb = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        await using var registry = await UplinkBenchRegistry.StartAsync(ct);
        var root = Path.Combine(Path.GetTempPath(), "bench-station-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = new DataDirectory(root).EnsureCreated();
            var keys = new StationKeyStore(data, TimeProvider.System);
            var package = await SealAsync(data, keys, "01JBENCH000000000000000001", sizeMb * 1024L * 1024L, ct);
            var artifact = await OciArtifact.FromPackageAsync(package.Path, ct);
            var total = artifact.DistinctBlobs().Sum(b => b.Size);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"package: {total / 1e6:F1} MB in {artifact.DistinctBlobs().Count} blobs, chunk {Chunk / 1048576} MiB, registry {registry.Url}"));

            var ours = new List<double>();
            var plain = new List<double>();
            for (var round = 0; round < 3; round++)
            {
                plain.Add(await PlainPushAsync(registry.Url, $"bench/plain{round}", package.Path, artifact, ct));
                ours.Add(await UplinkPushAsync(data, keys, registry.Url, $"bench/uplink{round}", package.Path, round, ct));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: plain {total / plain[^1] / 1e6:F1} MB/s, uplink {total / ours[^1] / 1e6:F1} MB/s"));
            }
            var plainMedian = plain.Order().ElementAt(1);
            var oursMedian = ours.Order().ElementAt(1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: plain {total / plainMedian / 1e6:F1} MB/s, uplink {total / oursMedian / 1e6:F1} MB/s, ratio {plainMedian / oursMedian:F2}"));

            foreach (var (checkpoint, hit) in new[] { ("blob.before-patch", 6), ("blob.after-patch-saved", 6), ("blob.after-patch", 6), ("cancel-mid-patch", 6) })
            {
                var (resent, where) = await ResendAfterAbandonAsync(data, keys, registry.Url, $"bench/kill-{checkpoint.Replace('.', '-')}", package.Path, checkpoint, hit, ct);
                var blob = artifact.DistinctBlobs().FirstOrDefault(b => b.Digest == where.Digest);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"abandon at {checkpoint} #{hit}: last chunk sent {where.Length} B at offset {where.Offset} of {blob?.RelativePath ?? "?"} ({blob?.Size ?? 0} B); re-sent {resent / 1048576.0:F2} MiB ({resent / (double)Chunk:F2} chunks of {Chunk / 1048576} MiB)"));
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<SealedPackage> SealAsync(DataDirectory data, StationKeyStore keys, string captureId, long bytes, CancellationToken ct)
    {
        var builder = PackageBuilder.Begin(data, captureId, "BENCH", new DurableFileWriter(data), TimeProvider.System);
        var rng = new Random(1);
        var buffer = new byte[1 << 20];
        foreach (var (path, share) in new[] { ("regions/BreechFace/fused-ring-0.png", 0.35), ("regions/BreechFace/fused-ring-1.png", 0.35), ("regions/BreechFace/height.x3p", 0.2), ("regions/BreechFace/confidence.png", 0.1) })
        {
            var size = (long)(bytes * share);
            await builder.AddFileAsync(path, PackageMediaTypes.ForPath(path), async (s, c) =>
            {
                for (long done = 0; done < size; done += buffer.Length)
                {
                    rng.NextBytes(buffer);
                    await s.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - done)), c);
                }
            }, ct);
        }
        using var key = await keys.GetOrCreateSigningKeyAsync(ct);
        var capture = System.Text.Encoding.UTF8.GetBytes($$"""{"schema":"acquisition.capture/v1","captureId":"{{captureId}}","stationId":"BENCH","status":"complete","case":{"caseNumber":"B-1","calibre":"9mm Luger"},"searchProtocol":{},"sealedAt":"2026-11-23T00:00:00Z"}""");
        return await builder.SealAsync(capture, key, ct);
    }

    private static UplinkOptions Options(Uri registry, string repository) => new()
    {
        Destinations = [new UplinkDestinationOptions { Name = "national", Kind = UplinkDestinationKind.Registry, RegistryUrl = registry.AbsoluteUri, Repository = repository, AllowPlainHttp = true }],
        ChunkSizeBytes = Chunk,
        RetryInitialDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(20),
    };

    private static async Task<double> UplinkPushAsync(DataDirectory data, StationKeyStore keys, Uri registry, string repository, string packagePath, int round, CancellationToken ct)
    {
        var options = Options(registry, repository);
        var db = Path.Combine(data.Root, $"outbox-{repository.Replace('/', '-')}-{round}.db");
        var outbox = new Outbox(db, [("national", DestinationRoute.All)], TimeProvider.System);
        using var http = RegistryHttpClientFactory.Create(options.Destinations[0], options, TimeProvider.System);
        var destination = new RegistryDestination("national", new RegistryClient(http, registry, repository, TimeProvider.System, null, options.RequestTimeout), Chunk);
        var processor = new UplinkProcessor(outbox, [destination], options, TimeProvider.System, keys.TrustedKeyIds);
        await outbox.EnqueueAsync(packagePath, keys.TrustedKeyIds(), ct);
        // Timed from the start of the push: enqueue (a full verification pass) is a one-off at sealing time.
        var sw = Stopwatch.StartNew();
        await processor.DrainDueAsync(ct);
        sw.Stop();
        var d = (await outbox.ListAsync(ct)).Single();
        if (d.State != DeliveryState.Delivered)
        {
            throw new InvalidOperationException($"uplink push ended {d.State}: {d.Reason}");
        }
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>The baseline: the same protocol steps with a bare HttpClient, no outbox, no verification.</summary>
    private static async Task<double> PlainPushAsync(Uri registry, string repository, string packagePath, OciArtifact artifact, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = registry, Timeout = TimeSpan.FromMinutes(10) };
        var buffer = new byte[Chunk];
        var sw = Stopwatch.StartNew();
        foreach (var blob in artifact.DistinctBlobs())
        {
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{blob.Digest}"), ct);
            if (head.IsSuccessStatusCode)
            {
                continue;
            }
            using var post = await http.PostAsync($"/v2/{repository}/blobs/uploads/", new ByteArrayContent([]), ct);
            post.EnsureSuccessStatusCode();
            var url = new Uri(registry, post.Headers.Location!);
            await using var file = File.OpenRead(Path.Combine(packagePath, blob.RelativePath));
            long offset = 0;
            while (offset < blob.Size)
            {
                var n = await file.ReadAtLeastAsync(buffer, (int)Math.Min(Chunk, blob.Size - offset), false, ct);
                using var req = new HttpRequestMessage(HttpMethod.Patch, url) { Content = new ByteArrayContent(buffer, 0, n) };
                req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                req.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + n - 1}");
                using var res = await http.SendAsync(req, ct);
                res.EnsureSuccessStatusCode();
                url = new Uri(registry, res.Headers.Location!);
                offset += n;
            }
            var sep = url.Query.Length > 0 ? "&" : "?";
            using var put = await http.PutAsync(url + sep + "digest=" + Uri.EscapeDataString(blob.Digest), new ByteArrayContent([]), ct);
            put.EnsureSuccessStatusCode();
        }
        var manifest = new ByteArrayContent(artifact.ManifestBytes);
        manifest.Headers.ContentType = new MediaTypeHeaderValue(OciMediaTypes.ImageManifest);
        using (var mput = await http.PutAsync($"/v2/{repository}/manifests/{artifact.CaptureId}", manifest, ct))
        {
            mput.EnsureSuccessStatusCode();
        }
        sw.Stop();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Abandons a push at a checkpoint (as a kill would), resumes with fresh state, returns bytes sent twice.</summary>
    private static async Task<(long Resent, (string Digest, long Offset, int Length) Where)> ResendAfterAbandonAsync(DataDirectory data, StationKeyStore keys, Uri registry, string repository, string packagePath, string checkpoint, int hit, CancellationToken ct)
    {
        var options = Options(registry, repository);
        var db = Path.Combine(data.Root, $"outbox-{repository.Replace('/', '-')}.db");
        var outbox = new Outbox(db, [("national", DestinationRoute.All)], TimeProvider.System);
        await outbox.EnqueueAsync(packagePath, keys.TrustedKeyIds(), ct);
        long sentFirst;
        (string Digest, long Offset, int Length) where;
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var abandon = new AbandonAt(checkpoint, hit, cancel);
            using var http = RegistryHttpClientFactory.Create(options.Destinations[0], options, TimeProvider.System);
            var first = new RegistryDestination("national", new RegistryClient(http, registry, repository, TimeProvider.System, null, options.RequestTimeout), Chunk, abandon);
            try
            {
                await new UplinkProcessor(new Outbox(db, [("national", DestinationRoute.All)], TimeProvider.System, abandon), [first], options, TimeProvider.System).RunOnceAsync(cancel.Token);
            }
            catch (Exception ex) when (ex is AbandonedException or OperationCanceledException)
            {
            }
            sentFirst = first.BytesSent + abandon.PartialBytes;
            where = abandon.LastChunk;
        }
        using var http2 = RegistryHttpClientFactory.Create(options.Destinations[0], options, TimeProvider.System);
        var second = new RegistryDestination("national", new RegistryClient(http2, registry, repository, TimeProvider.System, null, options.RequestTimeout), Chunk);
        await new UplinkProcessor(outbox, [second], options, TimeProvider.System).DrainDueAsync(ct);
        var d = (await outbox.ListAsync(ct)).Single();
        if (d.State != DeliveryState.Delivered)
        {
            throw new InvalidOperationException($"resumed push ended {d.State}: {d.Reason}");
        }
        var artifact = await outbox.GetArtifactAsync(d.CaptureId, ct);
        return (sentFirst + second.BytesSent - artifact.DistinctBlobs().Sum(b => b.Size), where);
    }

    private sealed class AbandonedException(string m) : Exception(m);

    /// <summary>Throws at a checkpoint, or for "cancel-mid-patch" cancels the upload half-way through the next PATCH body.</summary>
    private sealed class AbandonAt(string checkpoint, int hit, CancellationTokenSource cancel) : IUplinkCheckpoints
    {
        private int _hits;
        private bool _cancelArmed;

        public long PartialBytes { get; private set; }

        /// <summary>The last chunk handed to the wire before the abandon: where in the package it landed.</summary>
        public (string Digest, long Offset, int Length) LastChunk { get; private set; } = ("", 0, 0);

        public void Sending(string blobDigest, long offset, int length)
        {
            LastChunk = (blobDigest, offset, length);
            if (_cancelArmed)
            {
                _cancelArmed = false;
                // Upper bound: the interrupted chunk may have gone out in full (its real length, not the chunk size).
                PartialBytes = length;
                // A few milliseconds into the transfer at loopback speed.
                cancel.CancelAfter(TimeSpan.FromMilliseconds(15));
            }
        }

        public void Reached(string name)
        {
            if (checkpoint == "cancel-mid-patch")
            {
                if (name == "blob.before-patch" && ++_hits == hit)
                {
                    _cancelArmed = true;
                }
                return;
            }
            if (name == checkpoint && ++_hits == hit)
            {
                throw new AbandonedException("abandoned at " + name);
            }
        }
    }
}
