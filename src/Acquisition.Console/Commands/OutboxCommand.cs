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
            var table = new Table().AddColumns("Capture", "Enqueued (UTC)", "Size", "Hold", "Destination", "State", "Progress", "Attempts", "Reason");
            foreach (var e in entries)
            {
                var first = true;
                foreach (var d in e.Destinations)
                {
                    table.AddRow(
                        first ? Markup.Escape(e.CaptureId) : "",
                        first ? Format.Utc(e.EnqueuedAt) : "",
                        first && e.SizeBytes is { } size ? Format.Bytes(size) : "",
                        first && e.OnHold ? "[yellow]hold[/]" : "",
                        Markup.Escape(d.Destination),
                        StateMarkup(d.State),
                        Markup.Escape(Progress(d)),
                        d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Markup.Escape(d.Reason ?? ""));
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
            inv.Output.Line(Markup.Escape($"Capture {e.CaptureId}: enqueued {Format.Utc(e.EnqueuedAt)}" + (e.SizeBytes is { } size ? ", " + Format.Bytes(size) : "")) + (e.OnHold ? ", [yellow]under legal hold[/]" : ""));
            foreach (var d in e.Destinations)
            {
                var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
                grid.AddRow("[bold]Destination[/]", Markup.Escape(d.Destination));
                grid.AddRow("[bold]State[/]", StateMarkup(d.State));
                grid.AddRow("[bold]Progress[/]", Markup.Escape(Progress(d)));
                grid.AddRow("[bold]Attempts[/]", d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
                grid.AddRow("[bold]Next attempt[/]", Format.Utc(d.NextAttemptAt));
                grid.AddRow("[bold]Delivered[/]", Format.Utc(d.DeliveredAt));
                grid.AddRow("[bold]Manifest[/]", Markup.Escape(d.OciManifestDigest ?? "-"));
                grid.AddRow("[bold]Read back[/]", Markup.Escape(d.VerifiedDigest ?? "-"));
                grid.AddRow("[bold]Reason[/]", Markup.Escape(d.Reason ?? "-"));
                grid.AddRow("[bold]Server said[/]", Markup.Escape(d.ServerError ?? "-"));
                inv.Output.Write(new Panel(grid).Header(Markup.Escape(d.Destination)));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Retry(GlobalOptions globals)
    {
        var capture = new Argument<string>("capture") { Description = "The capture id (ULID)." };
        var command = new Command("retry", "Queue a rejected capture again at every destination that rejected it (after the cause, e.g. a server-side size limit, was fixed). The package is re-verified before upload. Audited.")
        {
            capture,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var e = await client.RetryOutboxEntryAsync(inv.Get(capture)!.Trim(), ct).ConfigureAwait(false);
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
        d is { BytesConfirmed: { } done, BytesTotal: { } total and > 0 }
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Format.Bytes(done)} / {Format.Bytes(total)} ({100.0 * done / total:0}%)")
            : "-";

    private static string StateMarkup(OutboxState state) => state switch
    {
        OutboxState.Delivered => "[green]delivered[/]",
        OutboxState.Rejected => "[red]rejected[/]",
        OutboxState.Uploading => "[blue]uploading[/]",
        _ => "pending",
    };
}
