using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq capture correct|corrections: corrections after sealing, as signed supplements; the original is never edited.</summary>
internal static class CaptureCommand
{
    private static readonly string[] CorrectableFields = ["agency", "caseNumber", "exhibit", "item", "recoveryDate", "recoveryLocation"];

    public static Command Create(GlobalOptions globals)
    {
        return new Command("capture", "Sealed captures: correct a mistyped case field with a signed supplement, list the corrections.")
        {
            Correct(globals),
            Corrections(globals),
        };
    }

    private static Command Correct(GlobalOptions globals)
    {
        var capture = CaptureArgument();
        var field = new Option<string[]>("--field")
        {
            Description = $"A corrected case field as name=value; repeat for several. Names: {string.Join(", ", CorrectableFields)}. An empty value (recoveryLocation=) clears an optional field.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
            HelpName = "name=value",
        };
        var reason = new Option<string>("--reason") { Description = "Why it is corrected; part of the evidence record and the audit log.", Required = true, HelpName = "text" };
        var command = new Command("correct", "Seal a correction supplement of a capture (signed, referencing the original package, queued for upload after it). The original is never edited. Audited with your user.")
        {
            capture, field, reason,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var id = CaptureId(inv.Get(capture)!);
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var f in inv.Get(field) ?? [])
            {
                var eq = f.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw CliException.Usage($"--field '{f}' is not name=value, e.g. --field caseNumber=2026-0142.");
                }
                var name = f[..eq].Trim();
                if (!fields.TryAdd(name, f[(eq + 1)..]))
                {
                    throw CliException.Usage($"--field {name} is given twice.");
                }
            }
            var why = inv.Get(reason)!;
            if (string.IsNullOrWhiteSpace(why))
            {
                throw CliException.Usage("--reason must not be empty: say why the field is corrected.");
            }
            using var client = inv.CreateClient();
            var report = await client.CorrectCaptureAsync(id, new CorrectionRequest(fields, why.Trim()), ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(report);
                return ExitCodes.Ok;
            }
            inv.Output.Line(Markup.Escape($"Correction {report.Sequence} of {report.CaptureId} sealed as {report.CorrectionId} by {report.Operator} at {Format.Utc(report.CorrectedAt)}."));
            Render(inv.Output, [report]);
            inv.Output.Line(Markup.Escape(report.UploadNote is null
                ? $"Queued for upload to {string.Join(", ", report.Upload.Select(u => u.Destination))} as a referrer of the original."
                : $"Upload: {report.UploadNote}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Corrections(GlobalOptions globals)
    {
        var capture = CaptureArgument();
        var command = new Command("corrections", "List the corrections of a capture, oldest first, with their upload state.") { capture };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var id = CaptureId(inv.Get(capture)!);
            using var client = inv.CreateClient();
            var list = await client.ListCorrectionsAsync(id, ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(list);
            }
            else if (list.Count == 0)
            {
                inv.Output.Line(Markup.Escape($"Capture {id} has no corrections."));
            }
            else
            {
                Render(inv.Output, list);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<string> CaptureArgument() => new("capture") { Description = "The capture id (ULID, as in 'acq outbox list')." };

    private static string CaptureId(string text)
    {
        var id = text.Trim().ToUpperInvariant();
        if (id.Length != 26 || !id.All(ch => char.IsAsciiDigit(ch) || (char.IsAsciiLetterUpper(ch) && ch is not ('I' or 'L' or 'O' or 'U'))))
        {
            throw CliException.Usage($"'{text}' is not a capture id: a capture id is a 26-character ULID such as 01JD3Q4V6Z8KXW3N9M2T5R7B1C.");
        }
        return id;
    }

    private static void Render(CommandOutput output, IReadOnlyList<CaptureCorrectionReport> reports)
    {
        var table = new Table().AddColumns("#", "Correction", "Field", "Was", "Now", "Reason", "By", "At (UTC)", "Upload");
        foreach (var r in reports)
        {
            var upload = r.Upload.Count == 0 ? r.UploadNote ?? "not queued" : string.Join(", ", r.Upload.Select(u => $"{u.Destination}: {u.State}"));
            foreach (var c in r.Changes)
            {
                table.AddRow(r.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(r.CorrectionId), Markup.Escape(c.Field),
                    Markup.Escape(c.OldValue ?? "(none)"), Markup.Escape(c.NewValue ?? "(none)"), Markup.Escape(r.Reason), Markup.Escape(r.Operator),
                    Format.Utc(r.CorrectedAt), Markup.Escape(upload));
            }
        }
        output.Write(table);
    }
}
