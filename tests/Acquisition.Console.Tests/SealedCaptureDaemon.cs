using System.Text;
using Acquisition.Core.Storage;
using Acquisition.Packaging;

namespace Acquisition.Console.Tests;

/// <summary>
/// The sim-profile daemon over a data directory that already holds one sealed, complete capture, signed with the very
/// station key the daemon then loads (as after an earlier capture and a restart). Sealing it here keeps the test off a
/// whole simulated capture; the package is built by the real Packaging code the capture sequence uses.
/// </summary>
public sealed class SealedCaptureDaemon : StationDaemon
{
    public const string CaptureId = "01JD3Q4V6Z8KXW3N9M2T5R7B1C";
    public const string CaseNumber = "2026-0041";

    public string PackagePath => Path.Combine(DataDirectory, "packages", CaptureId);

    protected override async Task BeforeStartAsync()
    {
        var data = new DataDirectory(DataDirectory).EnsureCreated();
        var keys = new StationKeyStore(data, TimeProvider.System);
        using var key = await keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        var builder = PackageBuilder.Begin(data, CaptureId, "SIM-E2E", new DurableFileWriter(data), TimeProvider.System);
        await builder.AddFileAsync("regions/BreechFace/height.x3p", PackageMediaTypes.X3p, new byte[4096], CancellationToken.None);
        var capture = $$"""
            {"schema":"acquisition.capture/v1","captureId":"{{CaptureId}}","stationId":"SIM-E2E","status":"complete","reasons":[],
             "case":{"agency":"TX2270000","caseNumber":"{{CaseNumber}}","exhibit":"3","item":"A","calibre":"9mm Luger","operatorId":"op1","recoveryDate":"2026-11-02","recoveryLocation":null},
             "searchProtocol":{"recoveredWithin80KmOfInternationalBorder":false,"any":false},"startedAt":"2026-11-23T05:00:00Z"}
            """;
        await builder.SealAsync(Encoding.UTF8.GetBytes(capture), key, CancellationToken.None);
    }
}
