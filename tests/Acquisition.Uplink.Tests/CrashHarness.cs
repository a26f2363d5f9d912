using System.Diagnostics;
using System.Globalization;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Microsoft.Extensions.Options;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// The crash-test child: the real <see cref="UplinkService"/> pass loop over a station data directory, which kills
/// itself with SIGKILL at a seeded checkpoint (ACQ_KILL_AT=name:hit) or after a seeded delay (ACQ_KILL_AFTER_MS).
/// Exit code 0 means everything in the outbox reached a final state.
/// </summary>
public static class CrashHarness
{
    public const string HarnessVariable = "ACQ_UPLINK_HARNESS";

    public static async Task<int> RunChildAsync()
    {
        var dataRoot = Environment.GetEnvironmentVariable("ACQ_DATA")!;
        var registry = Environment.GetEnvironmentVariable("ACQ_REGISTRY")!;
        var chunk = int.Parse(Environment.GetEnvironmentVariable("ACQ_CHUNK") ?? "524288", CultureInfo.InvariantCulture);
        string? killAt = null;
        var killHit = 0;
        if (Environment.GetEnvironmentVariable("ACQ_KILL_AT") is { Length: > 0 } spec)
        {
            var colon = spec.LastIndexOf(':');
            killAt = spec[..colon];
            killHit = int.Parse(spec[(colon + 1)..], CultureInfo.InvariantCulture);
        }
        using var timer = Environment.GetEnvironmentVariable("ACQ_KILL_AFTER_MS") is { Length: > 0 } ms
            ? new Timer(_ =>
            {
                Console.Out.WriteLine("KILL timer");
                Console.Out.Flush();
                Process.GetCurrentProcess().Kill();
            }, null, int.Parse(ms, CultureInfo.InvariantCulture), Timeout.Infinite)
            : null;

        var data = new DataDirectory(dataRoot);
        var options = new UplinkOptions
        {
            Destinations = [new UplinkDestinationOptions { Name = "national", Kind = UplinkDestinationKind.Registry, RegistryUrl = registry, Repository = "crash/captures", AllowPlainHttp = true }],
            ChunkSizeBytes = chunk,
            RequestTimeout = TimeSpan.FromSeconds(30),
            RetryInitialDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            RetentionEnabled = false,
        };
        using var service = new UplinkService(data, Options.Create(options), TimeProvider.System, new StationKeyStore(data, TimeProvider.System),
            checkpoints: new SelfKillCheckpoints(killAt, killHit));
        for (var pass = 0; pass < 200; pass++)
        {
            await service.RunPassAsync(CancellationToken.None);
            var open = (await service.Outbox.ListAsync(CancellationToken.None)).Where(d => d.State is DeliveryState.Pending or DeliveryState.Uploading).ToArray();
            if (open.Length == 0)
            {
                Console.Out.WriteLine("DONE");
                return 0;
            }
            if (await service.Processor.NextDueAsync(CancellationToken.None) is { } due && due > DateTimeOffset.UtcNow)
            {
                // A child process waiting for its own back-off, as the service would: not a test sleep.
                await Task.Delay(due - DateTimeOffset.UtcNow);
            }
        }
        Console.Out.WriteLine("GAVE UP");
        return 3;
    }
}
