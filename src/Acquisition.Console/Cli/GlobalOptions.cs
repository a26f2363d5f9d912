using System.CommandLine;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>Options every command accepts, and the data-directory option of the commands that work locally.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultSocketPath = "/run/acquisition-station/control.sock";
    public const string DefaultDataDirectory = "/var/lib/acquisition-station";

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write one machine-readable JSON document to stdout (no colours, no tables, no progress bars). Errors are JSON too: {\"error\":{...}}.",
        Recursive = true,
    };

    public Option<string> Socket { get; } = new("--socket")
    {
        Description = "The station's control socket. Default: $ACQ_SOCKET, else " + DefaultSocketPath + ".",
        HelpName = "path",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ACQ_SOCKET") is { Length: > 0 } s ? s : DefaultSocketPath,
    };

    /// <summary>A fresh --data option (System.CommandLine wants one instance per command).</summary>
    public static Option<string> DataOption(string description) => new("--data")
    {
        Description = description + " Default: $ACQ_DATA, else " + DefaultDataDirectory + ".",
        HelpName = "dir",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ACQ_DATA") is { Length: > 0 } d ? d : DefaultDataDirectory,
    };
}
