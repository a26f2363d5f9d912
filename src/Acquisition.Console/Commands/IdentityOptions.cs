using System.CommandLine;
using Acquisition.ServiceConsole.Cli;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>The options shared by `acq enrol` and `acq key rotate`.</summary>
internal sealed class IdentityOptions
{
    public Option<string?> Data { get; } = new("--data")
    {
        Description = "Work directly on this data directory instead of through the station (only while the station is stopped: the station is the audit log's single writer). Run as the station's user.",
        HelpName = "dir",
    };

    public Option<string?> Subject { get; } = new("--subject")
    {
        Description = "Distinguished name for the certificate signing request, e.g. \"CN=ACQ-0042, OU=Firearms, O=State Crime Lab, C=US\". Default: CN=<station id or host name>.",
        HelpName = "dn",
    };

    public Option<DirectoryInfo?> Out { get; } = new("--out")
    {
        Description = "Write station.pub.pem and station.csr.pem into this directory (never overwriting; add --force to replace).",
        HelpName = "dir",
    };

    public Option<bool> Force { get; } = new("--force") { Description = "Replace existing files in --out." };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Subject);
        command.Options.Add(Out);
        command.Options.Add(Force);
    }
}
