using System.CommandLine;
using Acquisition.ServiceConsole.Cli;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq verify package|reference.</summary>
internal static class VerifyCommand
{
    public static Command Create(GlobalOptions globals)
    {
        return new Command("verify", "Verify an evidence package (offline) or the station against its reference casing.")
        {
            VerifyPackageCommand.Create(globals),
            VerifyReferenceCommand.Create(globals),
        };
    }
}
