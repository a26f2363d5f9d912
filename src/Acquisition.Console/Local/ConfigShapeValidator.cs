using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Acquisition.ServiceConsole.Local;

/// <summary>
/// Structural check of a station configuration against the shipped defaults (firmware-config/station.json): every key
/// must be one the station knows (case-insensitive, as the .NET configuration binder reads them), every value must
/// have the type the defaults have, and values shaped like paths, URLs, durations, time zones or hex addresses must
/// be valid ones. It does not replace the station's own start-up validation (ranges, cross-field rules), which still
/// runs before any motor moves; it catches typos and type errors before a file is copied to a station.
/// </summary>
internal static partial class ConfigShapeValidator
{
    // Sections whose keys are free-form (logger categories), so unknown keys there are not typos.
    private static readonly string[] OpenSections = ["Logging"];

    public static IReadOnlyList<ConfigProblem> Validate(string candidateJson, JsonNode reference)
    {
        JsonNode? candidate;
        try
        {
            candidate = JsonNode.Parse(candidateJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return [new ConfigProblem("(file)", string.Create(CultureInfo.InvariantCulture,
                $"not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message.Split(" Path:")[0]}"))];
        }
        if (candidate is not JsonObject)
        {
            return [new ConfigProblem("(file)", "the top level must be a JSON object with sections such as \"Station\" and \"Stage\".")];
        }
        var problems = new List<ConfigProblem>();
        Compare(candidate, reference, "", problems);
        return problems;
    }

    private static void Compare(JsonNode? candidate, JsonNode? reference, string path, List<ConfigProblem> problems)
    {
        if (candidate is null || reference is null)
        {
            return;
        }
        switch (reference)
        {
            case JsonObject refObject:
                if (candidate is not JsonObject obj)
                {
                    problems.Add(new ConfigProblem(Display(path), $"must be an object (a section with keys), not {Describe(candidate)}."));
                    return;
                }
                if (OpenSections.Any(s => string.Equals(s, path, StringComparison.OrdinalIgnoreCase)))
                {
                    return;
                }
                var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (key, value) in obj)
                {
                    var childPath = path.Length == 0 ? key : path + ":" + key;
                    if (!seen.TryAdd(key, key))
                    {
                        problems.Add(new ConfigProblem(Display(childPath), $"is given twice (keys are case-insensitive: '{seen[key]}' and '{key}'). Keep one."));
                        continue;
                    }
                    var match = refObject.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase));
                    if (match.Key is null)
                    {
                        var known = string.Join(", ", refObject.Select(p => p.Key));
                        problems.Add(new ConfigProblem(Display(childPath), $"is not a setting the station knows (a typo?). Known keys here: {known}."));
                        continue;
                    }
                    Compare(value, match.Value, path.Length == 0 ? match.Key : path + ":" + match.Key, problems);
                }
                foreach (var (key, _) in refObject)
                {
                    if (!obj.Any(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)))
                    {
                        problems.Add(new ConfigProblem(Display(path.Length == 0 ? key : path + ":" + key), "is not set here; the station's default or another configuration layer applies.", IsError: false));
                    }
                }
                break;
            case JsonArray refArray:
                if (candidate is not JsonArray array)
                {
                    problems.Add(new ConfigProblem(Display(path), $"must be a list [ ... ], not {Describe(candidate)}."));
                    return;
                }
                if (refArray.Count > 0)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Compare(array[i], refArray[0], path + ":" + i.ToString(CultureInfo.InvariantCulture), problems);
                    }
                }
                break;
            case JsonValue refValue:
                CheckValue(candidate, refValue, path, problems);
                break;
        }
    }

    private static void CheckValue(JsonNode candidate, JsonValue reference, string path, List<ConfigProblem> problems)
    {
        var where = Display(path);
        if (candidate is not JsonValue value)
        {
            problems.Add(new ConfigProblem(where, $"must be a single value like {reference.ToJsonString()}, not {Describe(candidate)}."));
            return;
        }
        var refKind = reference.GetValueKind();
        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        switch (refKind)
        {
            case JsonValueKind.Number:
                var refIsInteger = reference.ToJsonString().All(c => char.IsAsciiDigit(c) || c == '-');
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || kind is not (JsonValueKind.Number or JsonValueKind.String))
                {
                    problems.Add(new ConfigProblem(where, $"must be a number like {reference.ToJsonString()}, not {Describe(candidate)}."));
                }
                else if (refIsInteger && number != Math.Floor(number))
                {
                    problems.Add(new ConfigProblem(where, $"must be a whole number like {reference.ToJsonString()}, not {text}."));
                }
                break;
            case JsonValueKind.True or JsonValueKind.False:
                if (!(kind is JsonValueKind.True or JsonValueKind.False || (kind == JsonValueKind.String && bool.TryParse(text, out _))))
                {
                    problems.Add(new ConfigProblem(where, $"must be true or false, not {Describe(candidate)}."));
                }
                break;
            case JsonValueKind.String:
                CheckStringShape(reference.GetValue<string>(), text, kind, path, where, problems);
                break;
        }
    }

    private static void CheckStringShape(string reference, string text, JsonValueKind kind, string path, string where, List<ConfigProblem> problems)
    {
        if (kind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            problems.Add(new ConfigProblem(where, $"must be a text value like \"{reference}\", not {kind.ToString().ToLowerInvariant()}."));
            return;
        }
        if (path.EndsWith("TimeZone", StringComparison.OrdinalIgnoreCase))
        {
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(text, out _))
            {
                problems.Add(new ConfigProblem(where, $"'{text}' is not an IANA time zone this system knows (e.g. \"Europe/Berlin\", \"America/Chicago\", \"Etc/UTC\")."));
            }
        }
        else if (Uri.TryCreate(reference, UriKind.Absolute, out var refUri) && refUri.Scheme is "http" or "https")
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add(new ConfigProblem(where, $"'{text}' is not an absolute http(s) URL like \"{reference}\"."));
            }
        }
        else if (reference.StartsWith('/'))
        {
            // Some path settings also take an index (Camera:Device "0") or a path relative to the working directory
            // (the simulator profile): worth a note, not an error; the station's own validation decides.
            if (!text.StartsWith('/') && kind == JsonValueKind.String && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                problems.Add(new ConfigProblem(where, $"'{text}' is not an absolute path (the default is \"{reference}\"): it is resolved against the station's working directory.", IsError: false));
            }
        }
        else if (HexPattern().IsMatch(reference))
        {
            if (!HexPattern().IsMatch(text) && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                problems.Add(new ConfigProblem(where, $"'{text}' must be a hexadecimal value like \"{reference}\" (or a decimal number)."));
            }
        }
        else if (TimeSpanPattern().IsMatch(reference))
        {
            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) || span < TimeSpan.Zero)
            {
                problems.Add(new ConfigProblem(where, $"'{text}' must be a duration d.hh:mm:ss like \"{reference}\" (e.g. \"30.00:00:00\" for 30 days)."));
            }
        }
    }

    private static string Display(string path) => path.Length == 0 ? "(top level)" : path;

    private static string Describe(JsonNode node) => node switch
    {
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "the text " + v.ToJsonString(),
            JsonValueKind.Number => "the number " + v.ToJsonString(),
            JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
            _ => "null",
        },
        _ => "null",
    };

    [GeneratedRegex("^0x[0-9A-Fa-f]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex(@"^(\d+\.)?\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")]
    private static partial Regex TimeSpanPattern();
}
