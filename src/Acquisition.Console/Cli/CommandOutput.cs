using System.Text.Json;
using System.Text.Json.Nodes;
using Acquisition.Core.Control;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>
/// Where a command's output goes. In --json mode stdout gets exactly one JSON document and nothing else (no ANSI);
/// otherwise Spectre.Console renders tables and messages, and errors and warnings go to stderr.
/// </summary>
internal sealed class CommandOutput
{
    private static readonly JsonSerializerOptions Indented = ControlApiJson.Create(indented: true);
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly IAnsiConsole _errConsole;

    public CommandOutput(bool json, TextWriter stdout, TextWriter stderr)
    {
        Json = json;
        _stdout = stdout;
        _stderr = stderr;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = json ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = json ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        _errConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Ansi = json ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = json ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        // Redirected output (logs, scripts, tests) is not wrapped at 80 columns: a wrapped path is hard to copy.
        if (!Console.Profile.Capabilities.Interactive)
        {
            Console.Profile.Width = 200;
        }
        if (!_errConsole.Profile.Capabilities.Interactive)
        {
            _errConsole.Profile.Width = 400;
        }
    }

    public bool Json { get; }

    /// <summary>The human console (stdout). Do not write to it in --json mode.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>True when progress bars can be drawn: a terminal, and not --json.</summary>
    public bool CanShowProgress => !Json && Console.Profile.Capabilities.Interactive && Console.Profile.Capabilities.Ansi;

    public void WriteJson<T>(T value) => _stdout.WriteLine(JsonSerializer.Serialize(value, Indented));

    public void WriteJsonNode(JsonNode node) => _stdout.WriteLine(node.ToJsonString(Indented));

    public void Write(IRenderable renderable)
    {
        if (!Json)
        {
            Console.Write(renderable);
        }
    }

    /// <summary>A line of Spectre markup (escape user text with <see cref="Markup.Escape"/>).</summary>
    public void Line(string markup)
    {
        if (!Json)
        {
            Console.MarkupLine(markup);
        }
    }

    /// <summary>A warning for the engineer: stderr in human mode (JSON documents carry their own warnings).</summary>
    public void Warn(string text)
    {
        if (!Json)
        {
            _errConsole.MarkupLine("[yellow]warning:[/] " + Markup.Escape(text));
        }
    }

    /// <summary>Progress text when no progress bar can be drawn (not a terminal): one line per step on stderr.</summary>
    public void Note(string text)
    {
        if (!Json)
        {
            _stderr.WriteLine(text);
        }
    }

    public void Fail(int exitCode, string kind, string message, ControlProblem? problem)
    {
        if (Json)
        {
            _stdout.WriteLine(ErrorJson(exitCode, kind, message, problem));
            return;
        }
        _errConsole.MarkupLine("[red]error:[/] " + Markup.Escape(message));
        if (problem?.Errors is { Count: > 0 } errors)
        {
            foreach (var (field, messages) in errors)
            {
                foreach (var m in messages)
                {
                    _errConsole.MarkupLine("  " + Markup.Escape(field) + ": " + Markup.Escape(m));
                }
            }
        }
    }

    public static string ErrorJson(int exitCode, string kind, string message, ControlProblem? problem)
    {
        var error = new JsonObject
        {
            ["exitCode"] = exitCode,
            ["kind"] = kind,
            ["message"] = message,
        };
        if (problem is not null)
        {
            error["problem"] = JsonSerializer.SerializeToNode(problem, Indented);
        }
        return new JsonObject { ["error"] = error }.ToJsonString(Indented);
    }
}
