using System.CommandLine;
using Acquisition.ServiceConsole.Cli;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq key rotate: a new signing key; the old public keys stay in the key history.</summary>
internal static class KeyCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var options = new IdentityOptions();
        var rotate = new Command("rotate",
            "Replace the station's signing key with a new one. The old public key stays in keys/history/ so packages signed before still verify. " +
            "Shows the new key id, exports the new public key and a CSR like 'acq enrol'. Through the station by default; with --data, directly (station stopped). Audited.");
        options.AddTo(rotate);
        CommandActions.Set(rotate, globals, (inv, ct) => IdentityCommands.RunAsync(inv, options, rotate: true, ct));
        return new Command("key", "The station's signing key.") { rotate };
    }
}
