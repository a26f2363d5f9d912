using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Local;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq config show|validate.</summary>
internal static class ConfigCommand
{
    /// <summary>firmware-config/station.json, embedded at build time when the repository has it.</summary>
    internal const string EmbeddedReferenceName = "acq.station.json";

    /// <summary>firmware-config/station.sim.json, whose extra sections are valid too.</summary>
    internal const string EmbeddedSimulatorReferenceName = "acq.station.sim.json";

    public static Command Create(GlobalOptions globals)
    {
        return new Command("config", "The station configuration: show the one in effect, or check a file before installing it.")
        {
            Show(globals),
            Validate(globals),
        };
    }

    private static Command Show(GlobalOptions globals)
    {
        var command = new Command("show", "Show the configuration the station runs with (all layers merged; secrets are redacted by the station).");
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var config = await client.GetConfigAsync(ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(config);
            }
            else
            {
                inv.Output.Write(new Text(JsonSerializer.Serialize(config, ControlApiJson.Create(indented: true)) + "\n"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Validate(GlobalOptions globals)
    {
        var file = new Argument<FileInfo>("file") { Description = "The configuration JSON to check (a full station.json or an override file)." };
        var reference = new Option<FileInfo?>("--reference") { Description = "The defaults to check the shape against (default: the firmware-config/station.json built into acq).", HelpName = "station.json" };
        var command = new Command("validate",
            "Check a station configuration file offline: JSON syntax (with line numbers), unknown keys (typos), value types, and paths, URLs, durations, " +
            "time zones and hex addresses. Lists every problem at once; exit 1 if any. The station still runs its full validation at start.")
        {
            file, reference,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var candidate = inv.Get(file)!;
            if (!candidate.Exists)
            {
                throw CliException.LocalFile($"{candidate.FullName} does not exist.");
            }
            var refNode = await LoadReferenceAsync(inv.Get(reference), ct).ConfigureAwait(false);
            var problems = ConfigShapeValidator.Validate(await File.ReadAllTextAsync(candidate.FullName, ct).ConfigureAwait(false), refNode);
            var errors = problems.Where(p => p.IsError).ToList();
            if (inv.Json)
            {
                inv.Output.WriteJson(new
                {
                    file = candidate.FullName,
                    valid = errors.Count == 0,
                    problems = errors.Select(p => new { path = p.Path, message = p.Message }),
                    notes = problems.Where(p => !p.IsError).Select(p => new { path = p.Path, message = p.Message }),
                });
            }
            else if (errors.Count == 0)
            {
                inv.Output.Line(Markup.Escape($"{candidate.FullName}: no problems found."));
            }
            else
            {
                inv.Output.Line($"[red]{errors.Count} problem(s)[/] in " + Markup.Escape(candidate.FullName) + ":");
                foreach (var p in errors)
                {
                    inv.Output.Line("  " + Markup.Escape(p.Path) + ": " + Markup.Escape(p.Message));
                }
            }
            foreach (var note in problems.Where(p => !p.IsError))
            {
                inv.Output.Line("[grey]note:[/] " + Markup.Escape(note.Path + ": " + note.Message));
            }
            return errors.Count == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static async Task<JsonNode> LoadReferenceAsync(FileInfo? reference, CancellationToken ct)
    {
        string text;
        if (reference is not null)
        {
            if (!reference.Exists)
            {
                throw CliException.LocalFile($"The reference {reference.FullName} does not exist.");
            }
            text = await File.ReadAllTextAsync(reference.FullName, ct).ConfigureAwait(false);
        }
        else
        {
            var shipped = await ReadEmbeddedAsync(EmbeddedReferenceName, ct).ConfigureAwait(false)
                ?? throw CliException.Usage("This acq was built without firmware-config/station.json; give the shipped defaults with --reference /etc/acquisition-station/station.json.");
            var simulator = await ReadEmbeddedAsync(EmbeddedSimulatorReferenceName, ct).ConfigureAwait(false);
            var merged = ParseReference(shipped);
            if (simulator is not null)
            {
                AddMissing(merged, ParseReference(simulator));
            }
            return merged;
        }
        return ParseReference(text);
    }

    private static async Task<string?> ReadEmbeddedAsync(string name, CancellationToken ct)
    {
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name);
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
    }

    // The reference shape is the union of both shipped profiles: a key either one has is a key the station knows.
    private static void AddMissing(JsonNode target, JsonNode source)
    {
        if (target is not JsonObject to || source is not JsonObject from)
        {
            return;
        }
        foreach (var (key, value) in from)
        {
            var existing = to.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase));
            if (existing.Key is null)
            {
                to[key] = value?.DeepClone();
            }
            else if (existing.Value is not null && value is not null)
            {
                AddMissing(existing.Value, value);
            }
        }
    }

    private static JsonNode ParseReference(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                ?? throw CliException.Usage("The reference configuration is empty.");
        }
        catch (JsonException ex)
        {
            throw CliException.Usage("The reference configuration is not valid JSON: " + ex.Message);
        }
    }
}
