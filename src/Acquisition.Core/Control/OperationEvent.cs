using System.Text.Json;

namespace Acquisition.Core.Control;

/// <summary>
/// One line of a long operation's event stream (application/x-ndjson): "progress" lines with a fraction 0–1 and a
/// message, then exactly one "result" line (the operation's response body) or one "error" line (a problem).
/// </summary>
public sealed record OperationEvent(string Event, double? Fraction = null, string? Message = null, JsonElement? Result = null, ControlProblem? Problem = null)
{
    public const string Progress = "progress";
    public const string ResultEvent = "result";
    public const string Error = "error";
}
