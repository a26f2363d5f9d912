using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq autofocus: sweep Z, draw the focus curve, leave the stage at the best Z.</summary>
internal static class AutofocusCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var range = new Option<double?>("--range") { Description = "Total sweep range in µm, centred on the current Z (default: the recipe's).", HelpName = "µm" };
        var step = new Option<double?>("--step") { Description = "Z step of the fine sweep in µm (default: the recipe's).", HelpName = "µm" };
        var command = new Command("autofocus", "Run the coarse-to-fine focus sweep at the current X/Y, draw the focus curve (focus measure against Z in µm) and leave the stage at the best Z. Exit 1 when no peak is found.")
        {
            range, step,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            if (inv.Get(range) is { } r && !(r > 0) || inv.Get(step) is { } s && !(s > 0))
            {
                throw CliException.Usage("--range and --step must be positive numbers of µm.");
            }
            using var client = inv.CreateClient();
            var result = await ProgressDisplay.RunAsync(inv.Output, "Autofocus", p => client.AutofocusAsync(new AutofocusRequest(inv.Get(range), inv.Get(step)), p, ct)).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(result);
            }
            else
            {
                inv.Output.Write(new Text(FocusCurvePlot.Render(result.Curve, result.BestZMicrometres)));
                inv.Output.Line(result.PeakFound && result.BestZMicrometres is { } z
                    ? "[green]In focus[/] at Z = " + Markup.Escape(Format.Micrometres(z)) + "."
                    : "[red]No focus peak found.[/] " + Markup.Escape(result.Message ?? "Check the casing is mounted and lit, then widen --range."));
            }
            return result.PeakFound ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }
}
