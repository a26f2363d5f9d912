using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Uplink.Tests;

/// <summary>Builds outbox + destinations + processor against given registries/layouts, as the service would.</summary>
public sealed class UplinkRig : IDisposable
{
    private readonly List<HttpClient> _clients = [];

    public UplinkRig(TestStation station, UplinkOptions options, IUplinkCheckpoints? checkpoints = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        Station = station;
        Options = options;
        UplinkOptionsValidator.ThrowIfInvalid(options);
        Outbox = new Outbox(station.Data.OutboxDatabase, options.Destinations.Select(d => (d.Name, d.Route)).ToArray(), Clock, checkpoints);
        Destinations = options.Destinations.Select(d =>
        {
            if (d.Kind == UplinkDestinationKind.OciLayout)
            {
                return (IUplinkDestination)new OciLayoutDestination(d.Name, d.LayoutPath!, checkpoints: checkpoints);
            }
            var http = RegistryHttpClientFactory.Create(d, options, TimeProvider.System);
            _clients.Add(http);
            return new RegistryDestination(d.Name, new RegistryClient(http, new Uri(d.RegistryUrl!), d.Repository, TimeProvider.System, options.BandwidthLimitBytesPerSecond, options.RequestTimeout, d.CaBundlePath), options.ChunkSizeBytes, checkpoints);
        }).ToArray();
        Processor = new UplinkProcessor(Outbox, Destinations, options, Clock, () => station.Keys.TrustedKeyIds(), logger);
    }

    /// <summary>The scheduling clock (back-off, retention); HTTP timeouts run on the system clock.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 5, 0, 0, TimeSpan.Zero));

    public TestStation Station { get; }
    public UplinkOptions Options { get; }
    public Outbox Outbox { get; }
    public IReadOnlyList<IUplinkDestination> Destinations { get; }
    public UplinkProcessor Processor { get; }

    public RegistryDestination Registry(string name) => (RegistryDestination)Destinations.Single(d => d.Name == name);

    public static UplinkDestinationOptions RegistryDestination(string name, Uri url, string repository = "acquisition/captures", DestinationRoute route = DestinationRoute.All) => new()
    {
        Name = name,
        Kind = UplinkDestinationKind.Registry,
        RegistryUrl = url.AbsoluteUri,
        Repository = repository,
        AllowPlainHttp = true,
        Route = route,
    };

    public static UplinkOptions Options1(params UplinkDestinationOptions[] destinations) => new()
    {
        Destinations = destinations.ToList(),
        ChunkSizeBytes = 1024 * 1024,
        RequestTimeout = TimeSpan.FromSeconds(30),
        RetryInitialDelay = TimeSpan.FromSeconds(2),
        RetryMaxDelay = TimeSpan.FromSeconds(60),
    };

    public Task<EnqueueResult> EnqueueAsync(string packagePath) => Outbox.EnqueueAsync(packagePath, Station.Keys.TrustedKeyIds(), CancellationToken.None);

    /// <summary>
    /// Drains until nothing is unfinished or <paramref name="maxAttempts"/> attempts were made, moving the fake clock
    /// to the next due retry whenever everything is backing off.
    /// </summary>
    public async Task DrainAsync(int maxAttempts = 200)
    {
        for (var i = 0; i < maxAttempts; i++)
        {
            var open = (await Outbox.ListAsync(CancellationToken.None)).Any(d => d.State is DeliveryState.Pending or DeliveryState.Uploading);
            if (!open)
            {
                return;
            }
            var n = await Processor.RunOnceAsync(CancellationToken.None);
            if (n == 0 && await Processor.NextDueAsync(CancellationToken.None) is { } due && due > Clock.GetUtcNow())
            {
                Clock.Advance(due - Clock.GetUtcNow());
            }
        }
    }

    /// <summary>Checks what a correlation server would: manifest bytes by tag match the recorded digest, every blob hashes right.</summary>
    public static async Task<IReadOnlyList<string>> VerifyOnServerAsync(RegistryClient client, string captureId, string expectedDigest)
    {
        var problems = new List<string>();
        var bytes = await client.GetManifestAsync(captureId, CancellationToken.None);
        if (bytes is null)
        {
            return [$"{captureId}: no manifest"];
        }
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (digest != expectedDigest)
        {
            problems.Add($"{captureId}: manifest digest {digest} != recorded {expectedDigest}");
        }
        using var doc = JsonDocument.Parse(bytes);
        var descriptors = doc.RootElement.GetProperty("layers").EnumerateArray().Append(doc.RootElement.GetProperty("config"));
        foreach (var d in descriptors)
        {
            var want = d.GetProperty("digest").GetString()!;
            var blob = await client.GetBlobAsync(want, CancellationToken.None);
            var got = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
            if (got != want || blob.LongLength != d.GetProperty("size").GetInt64())
            {
                problems.Add($"{captureId}: blob {want} came back as {got} ({blob.Length} bytes)");
            }
        }
        return problems;
    }

    public void Dispose()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }
    }
}
