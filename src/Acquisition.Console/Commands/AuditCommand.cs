using System.CommandLine;
using Acquisition.Core.Storage;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq audit show|verify: read and check the hash-chained audit log in the data directory.</summary>
internal static class AuditCommand
{
    public static Command Create(GlobalOptions globals)
    {
        return new Command("audit", "The station's hash-chained audit log (audit/audit.jsonl in the data directory). Read locally; needs read access to the data directory.")
        {
            Show(globals),
            Verify(globals),
        };
    }

    private static Command Show(GlobalOptions globals)
    {
        var data = GlobalOptions.DataOption("The station's data directory.");
        var last = new Option<int?>("--last") { Description = "Only the newest N entries.", HelpName = "N" };
        var action = new Option<string?>("--action") { Description = "Only actions starting with this prefix, e.g. 'calibration' or 'stage.jog'.", HelpName = "prefix" };
        var user = new Option<string?>("--user") { Description = "Only entries by this OS user.", HelpName = "name" };
        var command = new Command("show", "List audit entries: sequence, time (UTC), OS user, action and details.") { data, last, action, user };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            if (inv.Get(last) is { } n && n <= 0)
            {
                throw CliException.Usage("--last must be a positive number of entries.");
            }
            var log = OpenLog(inv.Get(data)!);
            IEnumerable<AuditEntry> entries;
            try
            {
                entries = await log.ReadAllAsync(ct).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new CliException(ExitCodes.CheckFailed, ex.Message);
            }
            if (inv.Get(action) is { } prefix)
            {
                entries = entries.Where(e => e.Action.StartsWith(prefix, StringComparison.Ordinal));
            }
            if (inv.Get(user) is { } u)
            {
                entries = entries.Where(e => e.User == u);
            }
            var list = entries.ToList();
            if (inv.Get(last) is { } count && list.Count > count)
            {
                list = list[^count..];
            }
            if (inv.Json)
            {
                inv.Output.WriteJson(list);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("Seq", "At (UTC)", "User", "Action", "Details");
            foreach (var e in list)
            {
                var details = e.Details?.GetRawText() ?? "";
                table.AddRow(
                    e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(e.User),
                    Markup.Escape(e.Action),
                    Markup.Escape(details.Length > 120 ? details[..120] + "…" : details));
            }
            inv.Output.Write(table);
            inv.Output.Line($"{list.Count} entr{(list.Count == 1 ? "y" : "ies")} from " + Markup.Escape(log.FilePath) + ".");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Verify(GlobalOptions globals)
    {
        var data = GlobalOptions.DataOption("The station's data directory.");
        var command = new Command("verify", "Check the whole audit chain: each line's hash, its link to the line before and the sequence. Names the first bad line; exit 1 if the chain is broken.") { data };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var log = OpenLog(inv.Get(data)!);
            var result = await log.VerifyAsync(ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(new { file = log.FilePath, result.IsIntact, result.Entries, result.FirstBadLine, result.Problem, result.HeadHash });
            }
            else if (result.IsIntact)
            {
                inv.Output.Line($"[green]Audit chain intact[/]: {result.Entries} entries in " + Markup.Escape(log.FilePath) + ", head " + result.HeadHash + ".");
            }
            else
            {
                inv.Output.Line("[red]Audit chain BROKEN[/] in " + Markup.Escape(log.FilePath) + ": " + Markup.Escape(result.Problem ?? "?"));
                inv.Output.Line($"The first {result.Entries} entries verify (last good hash {result.HeadHash}). Preserve the file as it is and report it.");
            }
            return result.IsIntact ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static AuditLog OpenLog(string dataDir)
    {
        var data = new DataDirectory(dataDir);
        if (!Directory.Exists(data.Root))
        {
            throw CliException.LocalFile($"The data directory {data.Root} does not exist. Give the station's data directory with --data or $ACQ_DATA.");
        }
        return new AuditLog(data, TimeProvider.System);
    }
}
