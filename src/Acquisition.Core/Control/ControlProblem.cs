using System.Text.Json.Serialization;

namespace Acquisition.Core.Control;

/// <summary>
/// An RFC 9457 problem (application/problem+json) as the station reports every refusal or failure.
/// <paramref name="Detail"/> is a sentence for the engineer: what is wrong and what to do.
/// </summary>
/// <param name="Errors">Per-field validation messages, for 400/422 answers.</param>
public sealed record ControlProblem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, string[]>? Errors = null);
