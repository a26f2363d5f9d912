using System.Text;
using Acquisition.Core.Storage;

namespace Acquisition.Packaging.Tests;

/// <summary>A throw-away data directory and helpers to build small but real packages.</summary>
internal sealed class TestData : IDisposable
{
    private static int _counter;

    public TestData()
    {
        Root = Path.Combine(Path.GetTempPath(), "pkgtest-" + Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Root).EnsureCreated();
        Writer = new DurableFileWriter(Data);
        Keys = new StationKeyStore(Data, TimeProvider.System);
    }

    public string Root { get; }
    public DataDirectory Data { get; }
    public DurableFileWriter Writer { get; }
    public StationKeyStore Keys { get; }

    public static string NewCaptureId() =>
        "01JCAPTXRE" + Interlocked.Increment(ref _counter).ToString("D16", System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] CaptureJson(string captureId, string status = "complete") =>
        Encoding.UTF8.GetBytes($$"""{"schema":"acquisition.capture/v1","captureId":"{{captureId}}","stationId":"ST-01","status":"{{status}}","case":{"agency":"XX0000000","caseNumber":"2026-001","exhibit":"1","item":"A","calibre":"9mm Luger","operatorId":"op1"},"searchProtocol":{},"sealedAt":"2026-11-23T05:00:00Z"}""");

    public async Task<SealedPackage> SealSampleAsync(string? captureId = null, string? supplementOf = null)
    {
        captureId ??= NewCaptureId();
        var builder = PackageBuilder.Begin(Data, captureId, "ST-01", Writer, TimeProvider.System, supplementOf);
        var payload = new byte[10_000];
        new Random(42).NextBytes(payload);
        await builder.AddFileAsync("regions/BreechFace/fused-ring-0.png", PackageMediaTypes.Png, payload, CancellationToken.None);
        await builder.AddFileAsync("regions/BreechFace/height.x3p", PackageMediaTypes.X3p, async (s, ct) =>
        {
            for (var i = 0; i < 4; i++)
            {
                await s.WriteAsync(payload.AsMemory(0, 2500), ct);
            }
        }, CancellationToken.None);
        using var key = await Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        return await builder.SealAsync(CaptureJson(captureId), key, CancellationToken.None);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
