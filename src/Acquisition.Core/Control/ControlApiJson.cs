using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Acquisition.Core.Control;

/// <summary>
/// JSON conventions of the control API: camelCase members, enums as kebab-case strings ("pixel-size", "ready"),
/// UTC timestamps in ISO 8601, TimeSpan as "d.hh:mm:ss".
/// </summary>
public static class ControlApiJson
{
    public const string MediaType = "application/json";
    public const string ProblemMediaType = "application/problem+json";

    /// <summary>Long operations stream one <see cref="OperationEvent"/> per line when the client accepts this.</summary>
    public const string EventStreamMediaType = "application/x-ndjson";

    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Create(bool indented) => new(JsonSerializerDefaults.Web)
    {
        WriteIndented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    /// <summary>The wire name of an enum value, e.g. CalibrationKind.PixelSize → "pixel-size".</summary>
    public static string WireName<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
