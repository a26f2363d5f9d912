using System.CommandLine;
using Acquisition.ServiceConsole.Client;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>What one running command needs: its parse result, its output and a way to reach the station.</summary>
internal sealed class Invocation
{
    private readonly GlobalOptions _globals;

    public Invocation(ParseResult parseResult, GlobalOptions globals, CommandOutput output)
    {
        ParseResult = parseResult;
        _globals = globals;
        Output = output;
    }

    public ParseResult ParseResult { get; }

    public CommandOutput Output { get; }

    public bool Json => Output.Json;

    public string SocketPath => ParseResult.GetValue(_globals.Socket) ?? GlobalOptions.DefaultSocketPath;

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? Get<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    /// <summary>True when the option was written on the command line (not just defaulted).</summary>
    public bool WasGiven(Option option) => ParseResult.GetResult(option) is { Implicit: false };

    public StationClient CreateClient() => new(SocketPath);
}
