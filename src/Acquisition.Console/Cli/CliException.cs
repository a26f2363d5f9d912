using Acquisition.Core.Control;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>A failure that ends a command with a specific exit code and a message for the engineer.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, ControlProblem? problem = null, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
        Problem = problem;
    }

    public int ExitCode { get; }

    /// <summary>The station's problem document, when the failure came from the station.</summary>
    public ControlProblem? Problem { get; }

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    public static CliException LocalFile(string message, Exception? inner = null) => new(ExitCodes.LocalFile, message, null, inner);
}
