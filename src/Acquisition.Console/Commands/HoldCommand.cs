using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq hold set|release|list: legal holds, which retention honours.</summary>
internal static class HoldCommand
{
    public static Command Create(GlobalOptions globals)
    {
        return new Command("hold", "Legal holds: a capture under hold is never deleted by retention, even after delivery.")
        {
            Change(globals, "set", "Put a capture under legal hold. Audited with your user and the reason."),
            Change(globals, "release", "Lift a legal hold; retention may then delete the capture once delivered and past its retention period. Audited."),
            List(globals),
        };
    }

    private static Command Change(GlobalOptions globals, string verb, string description)
    {
        var capture = new Argument<string>("capture") { Description = "The capture id (ULID, as in 'acq outbox list')." };
        var reason = new Option<string>("--reason") { Description = "Why (e.g. the court order or request reference); recorded in the audit log.", Required = true, HelpName = "text" };
        var command = new Command(verb, description) { capture, reason };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var id = inv.Get(capture)!.Trim().ToUpperInvariant();
            if (id.Length != 26 || !id.All(ch => char.IsAsciiDigit(ch) || (char.IsAsciiLetterUpper(ch) && ch is not ('I' or 'L' or 'O' or 'U'))))
            {
                throw CliException.Usage($"'{inv.Get(capture)}' is not a capture id: a capture id is a 26-character ULID such as 01JD3Q4V6Z8KXW3N9M2T5R7B1C.");
            }
            var why = inv.Get(reason)!;
            if (string.IsNullOrWhiteSpace(why))
            {
                throw CliException.Usage("--reason must not be empty.");
            }
            using var client = inv.CreateClient();
            var request = new LegalHoldRequest(why.Trim());
            var hold = verb == "set"
                ? await client.SetHoldAsync(id, request, ct).ConfigureAwait(false)
                : await client.ReleaseHoldAsync(id, request, ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(hold);
            }
            else
            {
                inv.Output.Line(Markup.Escape(verb == "set"
                    ? $"Capture {hold.CaptureId} is under legal hold ({hold.Reason}; set by {hold.SetBy} at {Format.Utc(hold.SetAt)})."
                    : $"Legal hold on {hold.CaptureId} lifted."));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var command = new Command("list", "List the captures under legal hold.");
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var holds = await client.ListHoldsAsync(ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(holds);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("Capture", "Reason", "Set by", "Set at (UTC)");
            foreach (var h in holds)
            {
                table.AddRow(Markup.Escape(h.CaptureId), Markup.Escape(h.Reason), Markup.Escape(h.SetBy), Format.Utc(h.SetAt));
            }
            inv.Output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
