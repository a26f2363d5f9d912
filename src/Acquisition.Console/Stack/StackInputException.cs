using Acquisition.ServiceConsole.Cli;

namespace Acquisition.Console.Stack;

/// <summary>
/// Bad input to `acq stack`: the message names what is wrong and what to do; the exit code says whether the command
/// line (2) or a file (6) is at fault, as docs/console.md lists them.
/// </summary>
public sealed class StackInputException : Exception
{
    private StackInputException(int exitCode, string message, Exception? inner)
        : base(message, inner) => ExitCode = exitCode;

    public int ExitCode { get; }

    /// <summary>A bad option value or argument (exit 2): nothing was read or written.</summary>
    public static StackInputException Usage(string message) => new(ExitCodes.Usage, message, null);

    /// <summary>A slice file missing, unreadable or unlike the others, or an output that cannot be written (exit 6).</summary>
    public static StackInputException File(string message, Exception? inner = null) => new(ExitCodes.LocalFile, message, inner);
}
