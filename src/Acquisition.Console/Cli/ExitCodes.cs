namespace Acquisition.ServiceConsole.Cli;

/// <summary>acq's exit codes (docs/console.md). Scripts rely on them: never renumber, only add.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran, and what it checked failed (a package, the audit chain, a self-test, a limit).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad command line or option value.</summary>
    public const int Usage = 2;

    /// <summary>No station on the control socket, permission denied on it, or no answer in time.</summary>
    public const int StationUnreachable = 3;

    /// <summary>The station refused the request (4xx problem): wrong state, invalid value, not permitted.</summary>
    public const int Refused = 4;

    /// <summary>The station failed while doing it (5xx problem, hardware fault, unreadable answer).</summary>
    public const int StationFailed = 5;

    /// <summary>A local file or directory could not be read or written.</summary>
    public const int LocalFile = 6;

    /// <summary>A bug in acq itself.</summary>
    public const int InternalError = 70;

    /// <summary>Interrupted (Ctrl+C / SIGTERM).</summary>
    public const int Interrupted = 130;
}
