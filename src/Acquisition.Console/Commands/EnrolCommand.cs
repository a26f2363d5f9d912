using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq enrol: the station's signing key, its fingerprint, and a CSR for the lab's PKI.</summary>
internal static class EnrolCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var options = new IdentityOptions();
        var command = new Command("enrol",
            "Generate the station's signing key if none exists; show its public key and fingerprint (key id); export the public key (station.pub.pem) " +
            "and a PKCS#10 certificate signing request (station.csr.pem) for the lab's PKI. Through the station by default; with --data, directly on a data directory " +
            "while the station is stopped. Audited.");
        options.AddTo(command);
        CommandActions.Set(command, globals, (inv, ct) => IdentityCommands.RunAsync(inv, options, rotate: false, ct));
        return command;
    }
}
