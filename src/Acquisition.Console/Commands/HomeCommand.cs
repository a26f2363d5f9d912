using System.CommandLine;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq home: run the stage's homing cycle.</summary>
internal static class HomeCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("home", "Home the stage (all axes) against its limit switches. Audited as a manual move. The door must be closed.");
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var result = await ProgressDisplay.RunAsync(inv.Output, "Homing", p => client.HomeAsync(p, ct)).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(result);
            }
            else
            {
                inv.Output.Line("Homed. Stage at " + Markup.Escape(Format.Position(result)) + ".");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
