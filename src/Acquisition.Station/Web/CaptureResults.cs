using System.Collections.Concurrent;
using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Storage;
using Acquisition.Imaging.Preview;
using Acquisition.Imaging.X3p;
using Acquisition.Packaging;
using Acquisition.Uplink;
using Acquisition.Workflow.Capture.Record;
using OpenCvSharp;

namespace Acquisition.Station.Web;

/// <summary>
/// The day's captures as the page shows them, read from the sealed packages in packages/ (so the history survives a
/// restart) and joined with the outbox's delivery state. Images are rendered for the screen from the package's own
/// files, opened read-only: the fused 16-bit PNGs stretched to 8 bits, the X3P height map in false colour with its
/// µm colour bar and lateral scale bar. Nothing is ever written into a package.
/// </summary>
public sealed class CaptureResults(DataDirectory data, IServiceProvider services, ILogger<CaptureResults> log)
{
    /// <summary>Rendered images are for a screen: at most this wide.</summary>
    public const int MaxImageWidth = 1024;

    private const int MaxCachedImages = 48;
    private readonly ConcurrentDictionary<string, CaptureRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _images = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<CaptureResultView>> ListDayAsync(DateOnly utcDay, CancellationToken cancellationToken)
    {
        var views = new List<CaptureResultView>();
        if (!Directory.Exists(data.Packages))
        {
            return views;
        }
        foreach (var dir in Directory.EnumerateDirectories(data.Packages))
        {
            var id = Path.GetFileName(dir);
            if (!PackagePaths.IsCaptureId(id))
            {
                continue;
            }
            // A correction supplement is a package of its own (correction.json, no capture.json); it is not a
            // capture of the day, and reading it as one would only log a warning per page refresh.
            if (File.Exists(Path.Combine(dir, Acquisition.Packaging.PackageFiles.Correction)))
            {
                continue;
            }
            // The capture id is a ULID made from the start time: other days are skipped without opening their packages.
            if (Ulid.TryParse(id, out var ulid) && DateOnly.FromDateTime(ulid.Time.UtcDateTime) != utcDay)
            {
                continue;
            }
            var record = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
            if (record is null || DateOnly.FromDateTime(record.StartedAt.UtcDateTime) != utcDay)
            {
                continue;
            }
            var (state, reason) = await UploadStateAsync(id, cancellationToken).ConfigureAwait(false);
            views.Add(ToView(record, state, reason));
        }
        return [.. views.OrderByDescending(v => v.StartedAt)];
    }

    private static CaptureResultView ToView(CaptureRecord record, string uploadState, string? uploadReason)
    {
        var regions = record.Regions.Select(r =>
        {
            var last = r.Attempts.Count > 0 ? r.Attempts[^1] : null;
            var prefix = $"regions/{r.Region}/";
            var fused = r.Files
                .Where(f => f.StartsWith(prefix + "fused-", StringComparison.Ordinal) && f.EndsWith(".png", StringComparison.Ordinal))
                .Select(f => f[(prefix.Length + "fused-".Length)..^".png".Length])
                .Select(l => new FusedImageView(l, $"{TechnicianPageEndpoints.ApiPrefix}/captures/{record.CaptureId}/regions/{r.Region}/fused/{Uri.EscapeDataString(l)}"))
                .ToList();
            var height = r.Files.Contains(prefix + "height.x3p")
                ? $"{TechnicianPageEndpoints.ApiPrefix}/captures/{record.CaptureId}/regions/{r.Region}/height"
                : null;
            return new RegionResultView(r.Region, r.Status == "passed", r.Attempts.Count, last?.Reasons ?? [], fused, height,
                last?.ZFromMicrometres ?? 0, last?.ZToMicrometres ?? 0);
        }).ToList();
        return new CaptureResultView(record.CaptureId, record.StartedAt, record.Case.CaseNumber, record.Case.Exhibit, record.Case.Item,
            record.OperatorId, record.Status.ToString(), record.Reasons, regions, uploadState, uploadReason);
    }

    /// <summary>
    /// The outbox's view over all destinations: rejected anywhere wins (with the destination and the outbox's reason),
    /// then uploading, queued, and uploaded only when every destination has it; uploading and queued carry the reason
    /// of the last failed attempt while a retry is pending.
    /// </summary>
    public async Task<(string State, string? Reason)> UploadStateAsync(string captureId, CancellationToken ct)
    {
        if (services.GetService<Outbox>() is not { } outbox)
        {
            return ("none", null);
        }
        var deliveries = await outbox.GetAsync(captureId, ct).ConfigureAwait(false);
        if (deliveries.Count == 0)
        {
            return ("none", null);
        }
        if (deliveries.FirstOrDefault(d => d.State == DeliveryState.Rejected) is { } rejected)
        {
            return ("rejected", $"{rejected.Destination}: {rejected.Reason}");
        }
        if (deliveries.All(d => d.State == DeliveryState.Delivered))
        {
            return ("uploaded", null);
        }
        if (deliveries.FirstOrDefault(d => d.State == DeliveryState.Uploading) is { } uploading)
        {
            return ("uploading", uploading.Reason is null ? null : $"{uploading.Destination}: {uploading.Reason}");
        }
        var retrying = deliveries.FirstOrDefault(d => d.State == DeliveryState.Pending && d.Reason is not null);
        return ("queued", retrying is null ? null : $"{retrying.Destination}: {retrying.Reason}");
    }

    private async Task<CaptureRecord?> LoadAsync(string captureId, CancellationToken ct)
    {
        if (_records.TryGetValue(captureId, out var cached))
        {
            return cached;
        }
        var path = Path.Combine(data.Packages, captureId, "capture.json");
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var record = await JsonSerializer.DeserializeAsync<CaptureRecord>(stream, CaptureRecord.Json, ct).ConfigureAwait(false);
            if (record is null || record.CaptureId != captureId)
            {
                log.LogWarning("Package {CaptureId}: capture.json does not describe this capture; not shown on the page", captureId);
                return null;
            }
            // A sealed package never changes, so its record can be kept.
            _records[captureId] = record;
            return record;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            log.LogWarning(ex, "Package {CaptureId}: capture.json cannot be read; not shown on the page", captureId);
            return null;
        }
    }

    /// <summary>The region's fused image under <paramref name="lighting"/> as an 8-bit PNG, or null when the package has no such file.</summary>
    public async Task<byte[]?> FusedPngAsync(string captureId, string region, string lighting, CancellationToken ct)
    {
        var relative = $"regions/{region}/fused-{lighting}.png";
        var file = await PackageFileAsync(captureId, region, relative, ct).ConfigureAwait(false);
        return file is null ? null : Cached(relative + "@" + captureId, () =>
        {
            using var source = Cv2.ImDecode(ReadOnly(file), ImreadModes.Unchanged);
            if (source.Empty())
            {
                throw new InvalidDataException($"{relative} in package {captureId} is not a readable PNG.");
            }
            // 16-bit fused images of a 12-bit sensor would look black as they are: stretch to the range present.
            using var eight = new Mat();
            Cv2.Normalize(source, eight, 0, 255, NormTypes.MinMax, (int)MatType.CV_8UC1);
            using var small = Fit(eight);
            return small.ToBytes(".png");
        });
    }

    /// <summary>The region's height map in false colour with µm colour bar and lateral scale bar, or null when the package has none.</summary>
    public async Task<byte[]?> HeightPngAsync(string captureId, string region, CancellationToken ct)
    {
        var relative = $"regions/{region}/height.x3p";
        var file = await PackageFileAsync(captureId, region, relative, ct).ConfigureAwait(false);
        return file is null ? null : Cached(relative + "@" + captureId, () =>
        {
            X3pDocument document;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                document = X3pReader.Read(stream);
            }
            var s = document.Surface;
            var heights = s.ToMicrometresFloat32();
            using var map = Mat.FromPixelData(s.SizeY, s.SizeX, MatType.CV_32FC1, heights);
            using var picture = DepthPreview.Render(map, s.IncrementXMetres * 1e6);
            using var small = Fit(picture);
            return small.ToBytes(".png");
        });
    }

    /// <summary>The full path of a file the record lists for the region; null for anything else (no path from the URL reaches the disk unchecked).</summary>
    private async Task<string?> PackageFileAsync(string captureId, string region, string relative, CancellationToken ct)
    {
        if (!PackagePaths.IsCaptureId(captureId) || !Enum.TryParse<Region>(region, ignoreCase: false, out _))
        {
            return null;
        }
        var record = await LoadAsync(captureId, ct).ConfigureAwait(false);
        var listed = record?.Regions.FirstOrDefault(r => r.Region == region)?.Files.Contains(relative) == true;
        if (!listed)
        {
            return null;
        }
        var path = Path.Combine(data.Packages, captureId, relative.Replace('/', Path.DirectorySeparatorChar));
        return File.Exists(path) ? path : null;
    }

    private byte[] Cached(string key, Func<byte[]> render)
    {
        if (_images.TryGetValue(key, out var bytes))
        {
            return bytes;
        }
        bytes = render();
        if (_images.Count >= MaxCachedImages)
        {
            _images.Clear();
        }
        _images[key] = bytes;
        return bytes;
    }

    private static byte[] ReadOnly(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static Mat Fit(Mat image)
    {
        if (image.Width <= MaxImageWidth)
        {
            return image.Clone();
        }
        var scaled = new Mat();
        Cv2.Resize(image, scaled, new Size(MaxImageWidth, (int)Math.Round(image.Height * (double)MaxImageWidth / image.Width)), 0, 0, InterpolationFlags.Area);
        return scaled;
    }
}
