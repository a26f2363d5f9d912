using System.Globalization;
using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Core.Units;
using Acquisition.Imaging.X3p;
using Acquisition.Packaging;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Capture.Record;
using OpenCvSharp;

namespace Acquisition.Workflow.Capture;

/// <summary>
/// Writes a capture as a signed evidence package (see PACKAGE-CONTRACT): per region one 16-bit PNG per lighting
/// (<c>regions/&lt;Region&gt;/fused-&lt;lighting&gt;.png</c>), the height map as X3P with OpenFMC metadata
/// (<c>height.x3p</c>) and its confidence (<c>confidence.png</c>, 16-bit, value = round(confidence × 1000), 0 where
/// the height is invalid); raw frames under <c>raw/</c> with <c>raw/index.json</c> listing each frame's stage z.
/// </summary>
public sealed class EvidencePackageWriter : ICapturePackageWriter
{
    public const double ConfidencePngScale = 1000;

    private readonly DataDirectory _data;
    private readonly DurableFileWriter _writer;
    private readonly StationKeyStore _keys;
    private readonly TimeProvider _time;
    private readonly EvidencePackageSettings _settings;
    private readonly List<object> _rawIndex = [];
    private PackageBuilder? _builder;
    private CaseContext? _case;

    public EvidencePackageWriter(DataDirectory data, DurableFileWriter writer, StationKeyStore keys, TimeProvider time, EvidencePackageSettings settings)
    {
        _data = data;
        _writer = writer;
        _keys = keys;
        _time = time;
        _settings = settings;
    }

    public string? StagingPath => _builder?.StagingPath;

    public Task BeginAsync(string captureId, CaseContext caseContext, CancellationToken cancellationToken)
    {
        _case = caseContext;
        _builder = PackageBuilder.Begin(_data, captureId, _settings.StationId, _writer, _time);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string>> WriteRegionAsync(RegionOutput output, CancellationToken cancellationToken)
    {
        var builder = Builder;
        var dir = $"regions/{output.Recipe.Region}";
        var files = new List<string>();
        var result = output.Result;
        foreach (var fused in result.Fused)
        {
            var path = $"{dir}/fused-{fused.Lighting}.png";
            await builder.AddFileAsync(path, PackageMediaTypes.Png, EncodePng16(fused.Width, fused.Height, fused.Pixels), cancellationToken).ConfigureAwait(false);
            files.Add(path);
        }
        var heightPath = $"{dir}/height.x3p";
        await builder.AddFileAsync(heightPath, PackageMediaTypes.X3p, X3pWriter.ToBytes(ToX3p(output)), cancellationToken).ConfigureAwait(false);
        files.Add(heightPath);
        var confidence = new ushort[result.Confidence.Length];
        for (var i = 0; i < confidence.Length; i++)
        {
            confidence[i] = float.IsFinite(result.HeightMicrometres[i])
                ? (ushort)Math.Clamp(Math.Round(result.Confidence[i] * ConfidencePngScale), 1, 65535)
                : (ushort)0;
        }
        var confidencePath = $"{dir}/confidence.png";
        await builder.AddFileAsync(confidencePath, PackageMediaTypes.Png, EncodePng16(result.Width, result.Height, confidence), cancellationToken).ConfigureAwait(false);
        files.Add(confidencePath);
        return files;
    }

    public async Task<string> WriteRawFrameAsync(Region region, int attempt, int slice, string lighting, Frame frame, DateTimeOffset exposureStart, Micrometres z, CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"raw/{region}/attempt-{attempt}/{slice:D4}-{lighting}.png");
        using var mat = new Mat(frame.Height, frame.Width, frame.Format == PixelFormat.Mono8 ? MatType.CV_8UC1 : MatType.CV_16UC1);
        System.Runtime.InteropServices.Marshal.Copy(frame.Data, 0, mat.Data, frame.Data.Length);
        Cv2.ImEncode(".png", mat, out var png);
        await Builder.AddFileAsync(path, PackageMediaTypes.Png, png, cancellationToken).ConfigureAwait(false);
        _rawIndex.Add(new { path, region = region.ToString(), attempt, slice, lighting, zMicrometres = z.Value, bitDepth = frame.BitDepth, exposureStart = exposureStart.UtcDateTime, exposureMicroseconds = frame.Exposure.TotalMicroseconds });
        return path;
    }

    public async Task<string> SealAsync(CaptureRecord record, CancellationToken cancellationToken)
    {
        var builder = Builder;
        if (_rawIndex.Count > 0)
        {
            await builder.AddFileAsync("raw/index.json", PackageMediaTypes.Json,
                JsonSerializer.SerializeToUtf8Bytes(new { frames = _rawIndex }, CaptureRecord.Json), cancellationToken).ConfigureAwait(false);
        }
        using var key = await _keys.GetOrCreateSigningKeyAsync(cancellationToken).ConfigureAwait(false);
        var sealedPackage = await builder.SealAsync(record.ToJsonBytes(), key, cancellationToken).ConfigureAwait(false);
        DurabilityWarning = sealedPackage.DurabilityWarning;
        return sealedPackage.Path;
    }

    public string? DurabilityWarning { get; private set; }

    public void Abandon() => _builder?.Abandon();

    private PackageBuilder Builder => _builder ?? throw new InvalidOperationException("BeginAsync was not called.");

    private X3pDocument ToX3p(RegionOutput output)
    {
        var r = output.Result;
        var metres = new float[r.HeightMicrometres.Length];
        for (var i = 0; i < metres.Length; i++)
        {
            metres[i] = float.IsFinite(r.HeightMicrometres[i]) ? r.HeightMicrometres[i] * 1e-6f : float.NaN;
        }
        var surface = X3pSurface.FromFloat32Metres(r.Width, r.Height, output.Pixel.PixelSizeX.Value * 1e-6, output.Pixel.PixelSizeY.Value * 1e-6, metres);
        var now = _time.GetUtcNow();
        // The calibration that set this map's lateral scale: the record the capture used, not whichever is newest
        // when the package is written. A capture cannot run without one; were it missing, the comment says so rather
        // than let the processing time pass for a calibration date.
        var calibratedAt = output.Pixel.PerformedAt;
        var record2 = new X3pRecord2(
            now,
            _settings.StationId,
            new X3pInstrument(_settings.InstrumentManufacturer, _settings.InstrumentModel, _settings.InstrumentSerial, CaptureSequence.SoftwareVersion),
            calibratedAt ?? now,
            "NonContacting",
            "focus variation: " + string.Join(", ", output.Recipe.Lightings.Select(l => l.Name)),
            calibratedAt is null ? "No pixel-size calibration record applies: CalibrationDate is the packaging time, only because ISO 5436-2 requires the element." : null);
        var c = _case!;
        var forensic = new X3pForensicMetadata(c.Agency, c.CaseNumber, c.Item, c.Calibre,
            [Enum.Parse<X3pRegionOfInterest>(output.Recipe.Region.ToString())],
            $"exhibit {c.Exhibit}; QC {(output.Passed ? "passed" : "failed")}");
        return new X3pDocument(surface, record2, forensic);
    }

    private static byte[] EncodePng16(int width, int height, ushort[] pixels)
    {
        using var mat = new Mat(height, width, MatType.CV_16UC1);
        var shorts = new short[pixels.Length];
        Buffer.BlockCopy(pixels, 0, shorts, 0, pixels.Length * 2);
        System.Runtime.InteropServices.Marshal.Copy(shorts, 0, mat.Data, shorts.Length);
        Cv2.ImEncode(".png", mat, out var png);
        return png;
    }
}
