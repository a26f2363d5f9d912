using System.CommandLine;
using Acquisition.ServiceConsole.Cli;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq whoami: the identity the station will write into the audit log for this session.</summary>
internal static class WhoAmICommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("whoami", "Show the OS user the station sees on the control socket (SO_PEERCRED): the name every privileged action of this session is audited under.");
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var me = await client.WhoAmIAsync(ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(me);
            }
            else
            {
                inv.Output.Line(Markup.Escape($"The station sees you as {me.User} (uid {me.Uid}, gid {me.Gid}, pid {me.Pid}); your actions are audited under that name."));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
