using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq move --x/--y/--z: an absolute move in machine coordinates.</summary>
internal static class MoveCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var x = new Option<double?>("--x") { Description = "Target X in machine coordinates, µm.", HelpName = "µm" };
        var y = new Option<double?>("--y") { Description = "Target Y in machine coordinates, µm.", HelpName = "µm" };
        var z = new Option<double?>("--z") { Description = "Target Z in machine coordinates, µm.", HelpName = "µm" };
        var feed = new Option<double?>("--feed-rate") { Description = "Speed in µm/s (default: the configured speed).", HelpName = "µm/s" };
        var command = new Command("move", "Move the stage to an absolute position in µm (machine coordinates, as 'acq status' shows). Axes not given stay. Audited.")
        {
            x, y, z, feed,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var request = new MoveRequest(inv.Get(x), inv.Get(y), inv.Get(z), inv.Get(feed));
            if (request is { XMicrometres: null, YMicrometres: null, ZMicrometres: null })
            {
                throw CliException.Usage("Give at least one of --x, --y, --z (µm).");
            }
            if (new[] { request.XMicrometres, request.YMicrometres, request.ZMicrometres }.Any(v => v is { } d && !double.IsFinite(d)))
            {
                throw CliException.Usage("Positions must be finite numbers of µm.");
            }
            if (request.FeedRateMicrometresPerSecond is { } f && !(f > 0))
            {
                throw CliException.Usage("--feed-rate must be a positive speed in µm/s.");
            }
            using var client = inv.CreateClient();
            var result = await client.MoveAsync(request, ct).ConfigureAwait(false);
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
