using System.Globalization;
using System.Text.Json;

namespace Acquisition.Packaging;

/// <summary>
/// The content of correction.json, the record of a correction supplement: which sealed package it corrects (its capture
/// id and the SHA-256 of its manifest.json, so the reference is to exact signed bytes), the changed case fields with
/// their old and new values, why, who and when (UTC). Serialization is deterministic; the file is covered by the
/// supplement's own signed manifest.
/// </summary>
public sealed record CorrectionRecord(
    string CorrectionId,
    string OriginalCaptureId,
    string OriginalManifestSha256,
    int Sequence,
    IReadOnlyList<FieldCorrection> Changes,
    string Reason,
    string Operator,
    DateTimeOffset CorrectedAt)
{
    public byte[] ToUtf8Bytes()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", PackageFiles.CorrectionSchema);
            w.WriteString("correctionId", CorrectionId);
            w.WriteString("originalCaptureId", OriginalCaptureId);
            w.WriteString("originalManifestSha256", OriginalManifestSha256);
            w.WriteNumber("sequence", Sequence);
            w.WriteStartArray("changes");
            foreach (var c in Changes)
            {
                w.WriteStartObject();
                w.WriteString("field", c.Field);
                WriteNullable(w, "oldValue", c.OldValue);
                WriteNullable(w, "newValue", c.NewValue);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("reason", Reason);
            w.WriteString("operator", Operator);
            w.WriteString("correctedAt", CorrectedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// The structural rules every correction obeys, whoever wrote it: ids are ULIDs and differ, the hash is SHA-256 hex,
    /// the sequence is positive, at least one change, each field correctable and named once, a required field not
    /// cleared, a value actually changed, a reason and an operator given. Returns one sentence per problem.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!PackagePaths.IsCaptureId(CorrectionId))
        {
            problems.Add($"correctionId '{CorrectionId}' is not a ULID");
        }
        if (!PackagePaths.IsCaptureId(OriginalCaptureId))
        {
            problems.Add($"originalCaptureId '{OriginalCaptureId}' is not a ULID");
        }
        else if (OriginalCaptureId == CorrectionId)
        {
            problems.Add("a correction cannot correct itself: correctionId equals originalCaptureId");
        }
        if (OriginalManifestSha256.Length != 64 || !OriginalManifestSha256.All(char.IsAsciiHexDigitLower))
        {
            problems.Add($"originalManifestSha256 '{OriginalManifestSha256}' is not a lowercase hex SHA-256");
        }
        if (Sequence < 1)
        {
            problems.Add($"sequence {Sequence.ToString(CultureInfo.InvariantCulture)} must be 1 or more");
        }
        if (Changes.Count == 0)
        {
            problems.Add("no field is corrected: give at least one field with its new value");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Changes)
        {
            if (!CorrectableCaseFields.IsCorrectable(c.Field))
            {
                problems.Add($"'{c.Field}' cannot be corrected: only the case fields {string.Join(", ", CorrectableCaseFields.All)} can (measurement data, the calibre, the operator and the search-protocol flags cannot)");
                continue;
            }
            if (!seen.Add(c.Field))
            {
                problems.Add($"{c.Field} is corrected twice in one correction");
            }
            if (c.NewValue is null && CorrectableCaseFields.IsRequired(c.Field))
            {
                problems.Add($"{c.Field} is required and cannot be cleared");
            }
            if (string.Equals(c.OldValue, c.NewValue, StringComparison.Ordinal))
            {
                problems.Add($"{c.Field} already is '{c.OldValue}': nothing to correct");
            }
        }
        if (string.IsNullOrWhiteSpace(Reason))
        {
            problems.Add("the reason is empty: say why the field is corrected (it is part of the evidence record)");
        }
        if (string.IsNullOrWhiteSpace(Operator))
        {
            problems.Add("the operator is empty");
        }
        return problems;
    }

    /// <summary>Parses correction.json; throws <see cref="FormatException"/> naming the first thing that is wrong.</summary>
    public static CorrectionRecord Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException ex)
        {
            throw new FormatException($"correction.json is not valid JSON: {ex.Message}", ex);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("correction.json is not a JSON object");
            }
            var schema = Str(root, "schema");
            if (schema != PackageFiles.CorrectionSchema)
            {
                throw new FormatException($"correction.json has schema '{schema}', expected '{PackageFiles.CorrectionSchema}'");
            }
            if (!root.TryGetProperty("sequence", out var seq) || !seq.TryGetInt32(out var sequence))
            {
                throw new FormatException("correction.json lacks the integer 'sequence'");
            }
            if (!root.TryGetProperty("changes", out var changes) || changes.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("correction.json has no 'changes' array");
            }
            var list = new List<FieldCorrection>();
            foreach (var c in changes.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"correction.json change {list.Count.ToString(CultureInfo.InvariantCulture)} is not an object");
                }
                list.Add(new FieldCorrection(Str(c, "field"), NullableStr(c, "oldValue"), NullableStr(c, "newValue")));
            }
            var atText = Str(root, "correctedAt");
            if (!DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                throw new FormatException($"correction.json correctedAt '{atText}' is not a timestamp");
            }
            return new CorrectionRecord(Str(root, "correctionId"), Str(root, "originalCaptureId"), Str(root, "originalManifestSha256"), sequence, list,
                Str(root, "reason"), Str(root, "operator"), at);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static string? NullableStr(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new FormatException($"correction.json '{name}' must be a string or null");

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"correction.json lacks the string property '{name}'");
}
