using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq jog x|y|z &lt;µm&gt;: a relative move of one axis.</summary>
internal static class JogCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var axis = new Argument<Axis>("axis") { Description = "The axis: x, y or z.", HelpName = "x|y|z" };
        var distance = new Argument<double>("distance") { Description = "Relative distance in µm; negative moves towards the axis' minimum (write '--' before a negative value: acq jog z -- -50)." };
        var feed = new Option<double?>("--feed-rate") { Description = "Speed in µm/s (default: the configured jog speed).", HelpName = "µm/s" };
        var command = new Command("jog", "Move one axis by a relative distance in µm. Refused unless homed and idle; the station checks soft limits. Audited with your user.")
        {
            axis, distance, feed,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var d = inv.Get(distance);
            if (!double.IsFinite(d) || d == 0)
            {
                throw CliException.Usage("The jog distance must be a non-zero number of µm.");
            }
            if (inv.Get(feed) is { } f && !(f > 0))
            {
                throw CliException.Usage("--feed-rate must be a positive speed in µm/s.");
            }
            using var client = inv.CreateClient();
            var result = await client.JogAsync(new JogRequest(inv.Get(axis), d, inv.Get(feed)), ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(result);
            }
            else
            {
                inv.Output.Line("Stage at " + Markup.Escape(Format.Position(result)) + ".");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
