using System.CommandLine;
using System.Security.Cryptography;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>Runs a command body and turns every failure into its documented exit code and message.</summary>
internal static class CommandActions
{
    public static void Set(Command command, GlobalOptions globals, Func<Invocation, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = new CommandOutput(parseResult.GetValue(globals.Json), System.Console.Out, System.Console.Error);
            var invocation = new Invocation(parseResult, globals, output);
            try
            {
                return await body(invocation, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException ex)
            {
                output.Fail(ex.ExitCode, KindOf(ex.ExitCode), ex.Message, ex.Problem);
                return ex.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                output.Fail(ExitCodes.Interrupted, "interrupted", "Interrupted. An operation already started on the station may still finish there: check 'acq status'.", null);
                return ExitCodes.Interrupted;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                output.Fail(ExitCodes.LocalFile, KindOf(ExitCodes.LocalFile), ex.Message, null);
                return ExitCodes.LocalFile;
            }
            catch (Exception ex) when (ex is CryptographicException)
            {
                output.Fail(ExitCodes.LocalFile, KindOf(ExitCodes.LocalFile), "A key or signature file could not be read: " + ex.Message, null);
                return ExitCodes.LocalFile;
            }
        });
    }

    public static string KindOf(int exitCode) => exitCode switch
    {
        ExitCodes.CheckFailed => "check-failed",
        ExitCodes.Usage => "usage",
        ExitCodes.StationUnreachable => "station-unreachable",
        ExitCodes.Refused => "refused",
        ExitCodes.StationFailed => "station-failed",
        ExitCodes.LocalFile => "local-file",
        ExitCodes.Interrupted => "interrupted",
        _ => "internal",
    };
}
