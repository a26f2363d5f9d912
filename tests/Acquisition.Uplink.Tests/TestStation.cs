using System.Globalization;
using System.Text;
using Acquisition.Core.Storage;
using Acquisition.Packaging;

namespace Acquisition.Uplink.Tests;

/// <summary>A station data directory with a key, producing synthetic sealed packages of realistic size.</summary>
public sealed class TestStation : IDisposable
{
    private int _counter;

    public TestStation(string? root = null, IDurableFileSystem? fileSystem = null)
    {
        Root = root ?? Path.Combine(Path.GetTempPath(), "station-" + Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Root).EnsureCreated();
        Writer = new DurableFileWriter(Data, fileSystem);
        Keys = new StationKeyStore(Data, TimeProvider.System);
        // A per-station prefix keeps capture ids unique across stations in one test run, and time-ordered within one.
        Prefix = "01J" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..7].Replace('I', 'J').Replace('L', 'M').Replace('O', 'P').Replace('U', 'V');
    }

    public string Root { get; }
    public DataDirectory Data { get; }
    public DurableFileWriter Writer { get; }
    public StationKeyStore Keys { get; }
    public string Prefix { get; }

    public string NextCaptureId() => Prefix + Interlocked.Increment(ref _counter).ToString("D16", CultureInfo.InvariantCulture);

    public static byte[] CaptureJson(string captureId, string status, bool flagged) =>
        Encoding.UTF8.GetBytes($$"""{"schema":"acquisition.capture/v1","captureId":"{{captureId}}","stationId":"ST-07","status":"{{status}}","case":{"agency":"XX0000000","caseNumber":"2026-{{captureId[^4..]}}","exhibit":"1","item":"A","calibre":"9mm Luger","operatorId":"op1"},"searchProtocol":{"recoveredNearBorder":{{(flagged ? "true" : "false")}},"terrorismRelated":false},"sealedAt":"2026-11-23T05:00:00Z"}""");

    /// <summary>Seals a package with a few payload files totalling about <paramref name="payloadBytes"/>.</summary>
    public async Task<SealedPackage> SealAsync(long payloadBytes = 2_000_000, bool flagged = false, string status = "complete", int seed = 1, string? captureId = null)
    {
        captureId ??= NextCaptureId();
        var builder = PackageBuilder.Begin(Data, captureId, "ST-07", Writer, TimeProvider.System);
        var rng = new Random(seed);
        var parts = new[] { ("regions/BreechFace/fused-ring-0.png", PackageMediaTypes.Png, 0.45), ("regions/BreechFace/height.x3p", PackageMediaTypes.X3p, 0.35), ("regions/BreechFace/confidence.png", PackageMediaTypes.Png, 0.15), ("regions/FiringPin/qc.json", PackageMediaTypes.Json, 0.05) };
        foreach (var (path, type, share) in parts)
        {
            var bytes = new byte[Math.Max(1, (long)(payloadBytes * share))];
            rng.NextBytes(bytes);
            await builder.AddFileAsync(path, type, bytes, CancellationToken.None);
        }
        using var key = await Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        return await builder.SealAsync(CaptureJson(captureId, status, flagged), key, CancellationToken.None);
    }

    /// <summary>Seals correction <paramref name="sequence"/> of <paramref name="original"/>: its case number becomes <paramref name="newCaseNumber"/>.</summary>
    public async Task<SealedPackage> SealCorrectionAsync(SealedPackage original, string newCaseNumber, int sequence = 1, string? originalManifestSha256 = null)
    {
        var id = NextCaptureId();
        var builder = PackageBuilder.Begin(Data, id, "ST-07", Writer, TimeProvider.System, supplementOf: original.CaptureId);
        var record = new CorrectionRecord(id, original.CaptureId, originalManifestSha256 ?? original.ManifestSha256, sequence,
            [new FieldCorrection(CorrectableCaseFields.CaseNumber, "2026-" + original.CaptureId[^4..], newCaseNumber)], "case number mistyped", "alice",
            new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        using var key = await Keys.GetOrCreateSigningKeyAsync(CancellationToken.None);
        return await builder.SealCorrectionAsync(record, key, CancellationToken.None);
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
