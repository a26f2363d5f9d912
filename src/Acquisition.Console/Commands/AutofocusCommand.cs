using System.CommandLine;
using System.Globalization;
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
        var range = new Option<double?>("--range") { Description = "Total sweep range in µm, centred on the current Z (default 400).", HelpName = "µm" };
        var step = new Option<double?>("--step") { Description = "Z step in µm (default 20; at most half the range).", HelpName = "µm" };
        var window = new Option<double?>("--window")
        {
            Description = "Score only a centred square of this side in µm on the casing, e.g. 0.6 × the primer diameter to focus on the primer as a capture does (default: the central 90 % of the view, which takes in the head face). Needs a pixel-size calibration.",
            HelpName = "µm",
        };
        var command = new Command("autofocus", "Sweep Z around the current position at the current X/Y, draw the focus curve (focus measure against Z in µm) and leave the stage at the best Z. Exit 1 when no peak is found.")
        {
            range, step, window,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            if (inv.Get(range) is { } r && !(r > 0) || inv.Get(step) is { } s && !(s > 0) || inv.Get(window) is { } w && !(w > 0))
            {
                throw CliException.Usage("--range, --step and --window must be positive numbers of µm.");
            }
            using var client = inv.CreateClient();
            var result = await ProgressDisplay.RunAsync(inv.Output, "Autofocus", p => client.AutofocusAsync(new AutofocusRequest(inv.Get(range), inv.Get(step), inv.Get(window)), p, ct)).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(result);
            }
            else
            {
                inv.Output.Write(new Text(FocusCurvePlot.Render(result.Curve, result.BestZMicrometres)));
                if (result.Window is { } scored)
                {
                    inv.Output.Line(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"Scored {scored.WidthPixels}×{scored.HeightPixels} px at ({scored.XPixels}, {scored.YPixels}) of each frame.")));
                }
                if (result.Surfaces is { Count: > 1 } surfaces)
                {
                    // Two surfaces in the window (the primer and the head face): the engineer picks with --window.
                    inv.Output.Line("Surfaces in focus: " + Markup.Escape(string.Join(", ", surfaces.Select(f =>
                        string.Create(CultureInfo.InvariantCulture, $"Z = {Format.Micrometres(f.ZMicrometres)} ({f.ShareOfWindow:0%} of the window)")))) + ".");
                }
                inv.Output.Line(result.PeakFound && result.BestZMicrometres is { } z
                    ? "[green]In focus[/] at Z = " + Markup.Escape(Format.Micrometres(z)) + "."
                    : "[red]No focus peak found.[/] " + Markup.Escape(result.Message ?? "Check the casing is mounted and lit, then widen --range."));
                if (result.PeakFound && result.Message is { } note)
                {
                    inv.Output.Line(Markup.Escape(note));
                }
            }
            return result.PeakFound ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }
}
