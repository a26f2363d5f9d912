using System.CommandLine;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq verify reference: acquire the reference casing and chart the comparison.</summary>
internal static class VerifyReferenceCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("reference",
            "Acquire the mounted reference casing (e.g. NIST SRM 2461), compare its height map with the stored reference topography " +
            "(areal cross-correlation plus the lab's configured measures), append the result to the control chart (CSV and PNG on the station) " +
            "and pass or fail against the configured limits. Exit 1 on fail. Audited.");
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var result = await ProgressDisplay.RunAsync(inv.Output, "Verifying against the reference casing", p => client.VerifyReferenceAsync(p, ct)).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(result);
            }
            else
            {
                var table = new Table().AddColumns("Measure", "Value", "Unit", "Limits", "Result");
                foreach (var m in result.Measures)
                {
                    table.AddRow(Markup.Escape(m.Name), Format.Number(m.Value), Markup.Escape(m.Unit), Markup.Escape(CalibrateCommand.Limits(m)),
                        m.Passed switch { true => "[green]pass[/]", false => "[red]FAIL[/]", null => "" });
                }
                inv.Output.Write(table);
                inv.Output.Line((result.Passed ? "[green]Reference verification passed[/]" : "[red]Reference verification FAILED[/]")
                    + Markup.Escape($" ({result.RecordId}, {Format.Utc(result.PerformedAt)}). Control chart: {result.ControlChartCsvPath}, {result.ControlChartPngPath}"));
            }
            return result.Passed ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }
}
