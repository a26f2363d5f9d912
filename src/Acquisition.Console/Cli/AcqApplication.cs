using System.CommandLine;
using System.CommandLine.Help;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>The root command, the global options and the exit-code policy for parse errors.</summary>
internal sealed class AcqApplication
{
    private readonly RootCommand _root;

    public AcqApplication()
    {
        Globals = new GlobalOptions();
        _root = new RootCommand(
            "acq: service console of the ballistic imaging station. Talks to the station daemon over its control socket; " +
            "a few commands (verify package, audit, config validate, enrol/key rotate with --data) work on local files. " +
            "Lengths are micrometres (µm), light levels 0–1, times UTC. Exit codes: 0 ok, 1 check failed, 2 usage, " +
            "3 station unreachable, 4 refused by station, 5 station failed, 6 local file error, 130 interrupted.");
        _root.Options.Add(Globals.Json);
        _root.Options.Add(Globals.Socket);
        _root.SetAction(parseResult =>
        {
            // `acq` alone: show what there is, but a script that forgot the verb must not see success.
            new HelpAction().Invoke(parseResult);
            return ExitCodes.Usage;
        });
    }

    public GlobalOptions Globals { get; }

    public RootCommand Root => _root;

    /// <summary>Registers a command built from the global options.</summary>
    public void Add(Func<GlobalOptions, Command> factory) => _root.Subcommands.Add(factory(Globals));

    /// <summary>Registers a self-contained command (one that does not use the global options).</summary>
    public void Add(Command command) => _root.Subcommands.Add(command);

    public async Task<int> RunAsync(string[] args)
    {
        var parseResult = _root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            // System.CommandLine exits 1 on a parse error; our 1 means "a check failed", so usage errors get 2.
            var messages = parseResult.Errors.Select(e => e.Message).ToArray();
            if (parseResult.GetValue(Globals.Json))
            {
                System.Console.Out.WriteLine(CommandOutput.ErrorJson(ExitCodes.Usage, "usage", string.Join(" ", messages), null));
            }
            else
            {
                foreach (var message in messages)
                {
                    System.Console.Error.WriteLine("error: " + message);
                }
                System.Console.Error.WriteLine("Run 'acq " + string.Join(' ', CommandPath(parseResult)) + " --help' for usage.");
            }
            return ExitCodes.Usage;
        }
        return await parseResult.InvokeAsync().ConfigureAwait(false);
    }

    private static IEnumerable<string> CommandPath(ParseResult parseResult)
    {
        var names = new Stack<string>();
        for (var r = parseResult.CommandResult; r.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
        {
            names.Push(r.Command.Name);
        }
        return names;
    }
}
