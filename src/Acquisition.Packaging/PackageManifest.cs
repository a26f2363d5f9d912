using System.Globalization;
using System.Text.Json;

namespace Acquisition.Packaging;

/// <summary>The content of manifest.json. Serialization is deterministic, because its exact bytes are signed.</summary>
public sealed record PackageManifest(
    string CaptureId,
    string StationId,
    DateTimeOffset CreatedAt,
    string? SupplementOf,
    IReadOnlyList<PackageManifestEntry> Files)
{
    public byte[] ToUtf8Bytes()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", PackageFiles.ManifestSchema);
            w.WriteString("captureId", CaptureId);
            w.WriteString("stationId", StationId);
            w.WriteString("createdAt", CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (SupplementOf is null)
            {
                w.WriteNull("supplementOf");
            }
            else
            {
                w.WriteString("supplementOf", SupplementOf);
            }
            w.WriteStartArray("files");
            foreach (var f in Files.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("path", f.Path);
                w.WriteNumber("size", f.Size);
                w.WriteString("sha256", f.Sha256);
                w.WriteString("mediaType", f.MediaType);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Parses manifest.json; throws <see cref="FormatException"/> naming the first thing that is wrong.</summary>
    public static PackageManifest Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException ex)
        {
            throw new FormatException($"manifest.json is not valid JSON: {ex.Message}", ex);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("manifest.json is not a JSON object");
            }
            var schema = Str(root, "schema");
            if (schema != PackageFiles.ManifestSchema)
            {
                throw new FormatException($"manifest.json has schema '{schema}', expected '{PackageFiles.ManifestSchema}'");
            }
            var createdText = Str(root, "createdAt");
            if (!DateTimeOffset.TryParse(createdText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created))
            {
                throw new FormatException($"manifest.json createdAt '{createdText}' is not a timestamp");
            }
            string? supplementOf = root.TryGetProperty("supplementOf", out var sup) && sup.ValueKind == JsonValueKind.String ? sup.GetString() : null;
            if (!root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("manifest.json has no 'files' array");
            }
            var entries = new List<PackageManifestEntry>();
            foreach (var f in files.EnumerateArray())
            {
                if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("size", out var size) || !size.TryGetInt64(out var sizeValue))
                {
                    throw new FormatException($"manifest.json file entry {entries.Count} lacks a numeric 'size'");
                }
                entries.Add(new PackageManifestEntry(Str(f, "path"), sizeValue, Str(f, "sha256"), Str(f, "mediaType")));
            }
            return new PackageManifest(Str(root, "captureId"), Str(root, "stationId"), created, supplementOf, entries);
        }
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"manifest.json lacks the string property '{name}'");
}
