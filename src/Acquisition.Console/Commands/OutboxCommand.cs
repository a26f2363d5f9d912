using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq outbox list|show|retry: the uplink queue.</summary>
internal static class OutboxCommand
{
    public static Command Create(GlobalOptions globals)
    {
        return new Command("outbox", "The uplink queue: what is waiting, uploading, delivered or rejected, per destination.")
        {
            List(globals),
            Show(globals),
            Retry(globals),
        };
    }

    private static Command List(GlobalOptions globals)
    {
        var state = new Option<OutboxState?>("--state") { Description = "Only entries with this state at some destination: pending, uploading, delivered, rejected." };
        var command = new Command("list", "List the outbox, oldest first, with progress in bytes per destination.") { state };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var entries = await client.ListOutboxAsync(inv.Get(state), ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(entries);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("Capture", "Enqueued (UTC)", "Size", "Hold", "Destination", "State", "Progress", "Attempts");
            foreach (var e in entries)
            {
                var first = true;
                foreach (var d in e.Destinations)
                {
                    table.AddRow(
                        first ? Markup.Escape(e.CaptureId) : "",
                        first ? Format.Utc(e.EnqueuedAt) : "",
                        first ? Format.Bytes(e.SizeBytes) : "",
                        first && e.OnHold ? "[yellow]hold[/]" : "",
                        Markup.Escape(d.Destination),
                        StateMarkup(d.State),
                        Markup.Escape(Progress(d)),
                        d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    first = false;
                }
            }
            inv.Output.Write(table);
            inv.Output.Line($"{entries.Count} capture(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var capture = new Argument<string>("capture") { Description = "The capture id (ULID)." };
        var command = new Command("show", "Show one capture's uplink state per destination, with the last error (for a rejection: the server's own error body).") { capture };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var e = await client.GetOutboxEntryAsync(inv.Get(capture)!.Trim(), ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(e);
                return ExitCodes.Ok;
            }
            inv.Output.Line(Markup.Escape($"Capture {e.CaptureId}: enqueued {Format.Utc(e.EnqueuedAt)}, {Format.Bytes(e.SizeBytes)}") + (e.OnHold ? ", [yellow]under legal hold[/]" : ""));
            foreach (var d in e.Destinations)
            {
                var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
                grid.AddRow("[bold]Destination[/]", Markup.Escape(d.Destination));
                grid.AddRow("[bold]State[/]", StateMarkup(d.State));
                grid.AddRow("[bold]Progress[/]", Markup.Escape(Progress(d)));
                grid.AddRow("[bold]Attempts[/]", d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
                grid.AddRow("[bold]Delivered[/]", Format.Utc(d.DeliveredAt));
                grid.AddRow("[bold]Manifest[/]", Markup.Escape(d.ManifestDigest ?? "-"));
                grid.AddRow("[bold]Last error[/]", Markup.Escape(d.LastError ?? "-"));
                inv.Output.Write(new Panel(grid).Header(Markup.Escape(d.Destination)));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Retry(GlobalOptions globals)
    {
        var capture = new Argument<string>("capture") { Description = "The capture id (ULID)." };
        var destination = new Option<string?>("--destination") { Description = "Only this destination (default: every destination where it was rejected).", HelpName = "name" };
        var command = new Command("retry", "Queue a rejected capture again (after the cause, e.g. a server-side quota, was fixed). The package is re-verified before upload. Audited.")
        {
            capture, destination,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var e = await client.RetryOutboxEntryAsync(inv.Get(capture)!.Trim(), inv.Get(destination), ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(e);
            }
            else
            {
                inv.Output.Line(Markup.Escape($"Capture {e.CaptureId} queued again: ") + string.Join(", ", e.Destinations.Select(d => Markup.Escape(d.Destination) + " " + StateMarkup(d.State))));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Progress(OutboxDestinationProgress d) =>
        d.BytesTotal > 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Format.Bytes(d.BytesConfirmed)} / {Format.Bytes(d.BytesTotal)} ({100.0 * d.BytesConfirmed / d.BytesTotal:0}%)")
            : "-";

    private static string StateMarkup(OutboxState state) => state switch
    {
        OutboxState.Delivered => "[green]delivered[/]",
        OutboxState.Rejected => "[red]rejected[/]",
        OutboxState.Uploading => "[blue]uploading[/]",
        _ => "pending",
    };
}
