using System.CommandLine;
using Acquisition.ServiceConsole.Cli;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq selftest: every device exercised, pass/fail per item with the measured values.</summary>
internal static class SelfTestCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("selftest", "Exercise every device (stage axes and limits, door, lights per segment, camera, storage, clock) and report pass/fail per item with the measured and expected values. Moves the stage and switches lights. Exit 1 when any item fails.");
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var report = await ProgressDisplay.RunAsync(inv.Output, "Self-test", p => client.SelfTestAsync(p, ct)).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(report);
            }
            else
            {
                var table = new Table().AddColumns("Device", "Check", "Result", "Measured", "Expected", "Note");
                foreach (var item in report.Items)
                {
                    table.AddRow(
                        Markup.Escape(item.Device),
                        Markup.Escape(item.Check),
                        item.Passed ? "[green]pass[/]" : "[red]FAIL[/]",
                        Markup.Escape(WithUnit(item.Measured, item.Unit)),
                        Markup.Escape(WithUnit(item.Expected, item.Unit)),
                        Markup.Escape(item.Message ?? ""));
                }
                inv.Output.Write(table);
                var failed = report.Items.Count(i => !i.Passed);
                inv.Output.Line(report.Passed ? $"[green]Self-test passed[/] ({report.Items.Count} items)." : $"[red]Self-test FAILED[/]: {failed} of {report.Items.Count} items.");
            }
            return report.Passed ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static string WithUnit(string? value, string? unit) => value is null ? "-" : unit is null ? value : value + " " + unit;
}
