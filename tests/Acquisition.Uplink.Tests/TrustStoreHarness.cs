using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Microsoft.Extensions.Options;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// The system-trust-store child: one pass of the real <see cref="UplinkService"/> to an https registry with no
/// CaBundlePath, so the server's certificate is verified against the system trust store, which the parent points at a
/// test CA (or at none) through SSL_CERT_FILE / SSL_CERT_DIR. A process of its own because .NET reads the system
/// store once per process, and because the machine's real trust store must not be touched. Prints
/// "STATE &lt;state&gt;" and "REASON &lt;reason&gt;".
/// </summary>
public static class TrustStoreHarness
{
    public const string Mode = "trust";

    public static async Task<int> RunChildAsync()
    {
        var data = new DataDirectory(Environment.GetEnvironmentVariable("ACQ_DATA")!);
        var options = new UplinkOptions
        {
            Destinations =
            [
                new UplinkDestinationOptions
                {
                    Name = "national", Kind = UplinkDestinationKind.Registry, RegistryUrl = Environment.GetEnvironmentVariable("ACQ_REGISTRY")!,
                    Repository = "trust/captures", CaBundlePath = null,
                    ClientCertificatePath = Environment.GetEnvironmentVariable("ACQ_CLIENT_CERT"),
                    ClientKeyPath = Environment.GetEnvironmentVariable("ACQ_CLIENT_KEY"),
                },
            ],
            RequestTimeout = TimeSpan.FromSeconds(30),
            RetentionEnabled = false,
        };
        using var service = new UplinkService(data, Options.Create(options), TimeProvider.System, new StationKeyStore(data, TimeProvider.System));
        await service.RunPassAsync(CancellationToken.None);
        var d = (await service.Outbox.ListAsync(CancellationToken.None)).Single();
        Console.Out.WriteLine("STATE " + d.State);
        Console.Out.WriteLine("REASON " + d.Reason);
        return 0;
    }
}
