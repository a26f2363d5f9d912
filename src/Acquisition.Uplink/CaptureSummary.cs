using System.Text.Json;

namespace Acquisition.Uplink;

/// <summary>The few fields of capture.json the uplink needs: eligibility, routing and annotations.</summary>
public sealed record CaptureSummary(string CaptureId, string Status, string StationId, string? CaseNumber, string? Calibre, bool SearchProtocolFlagged)
{
    public bool IsComplete => Status == "complete";

    /// <summary>Parses capture.json; throws <see cref="FormatException"/> naming the missing field.</summary>
    public static CaptureSummary Parse(ReadOnlySpan<byte> captureJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(captureJson.ToArray());
            var root = doc.RootElement;
            string Required(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : throw new FormatException($"capture.json lacks the string field '{name}'");
            string? caseNumber = null;
            string? calibre = null;
            if (root.TryGetProperty("case", out var c) && c.ValueKind == JsonValueKind.Object)
            {
                caseNumber = c.TryGetProperty("caseNumber", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                calibre = c.TryGetProperty("calibre", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            }
            // Any flag set routes the capture to the international exchange too; unknown flag names count as well,
            // because missing a cross-border search is worse than one extra copy.
            var flagged = root.TryGetProperty("searchProtocol", out var sp) && sp.ValueKind == JsonValueKind.Object
                && sp.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.True);
            return new CaptureSummary(Required("captureId"), Required("status"), Required("stationId"), caseNumber, calibre, flagged);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"capture.json is not valid JSON: {ex.Message}", ex);
        }
    }
}
