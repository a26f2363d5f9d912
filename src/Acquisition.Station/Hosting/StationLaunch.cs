namespace Acquisition.Station.Hosting;

/// <summary>The command line, parsed: the options this program owns and the rest for configuration overrides.</summary>
/// <param name="ConfigFile">--config FILE: the station's JSON configuration.</param>
/// <param name="ExitWhenReady">--once: start, home, report Ready and exit (the demo and smoke tests).</param>
/// <param name="ShowHelp">--help.</param>
/// <param name="ConfigurationArguments">Everything else, as `--Section:Key=value` overrides.</param>
public sealed record StationLaunch(string? ConfigFile, bool ExitWhenReady, bool ShowHelp, IReadOnlyList<string> ConfigurationArguments)
{
    /// <summary>
    /// --demo: like --once, but after Ready capture the case preset once (the simulator's casing is inserted first),
    /// print the package, its QC and timing, then stop: exit 0 only for a complete, verified package.
    /// </summary>
    public bool Demo { get; init; }

    public const string DefaultConfigFile = "/etc/acquisition-station/station.json";

    public const string Usage = """
        acquisition-station — the ballistic imaging station's daemon

        Usage: acquisition-station [--config FILE] [--once | --demo] [--Section:Key=value ...]

          --config FILE   station configuration (JSON); default /etc/acquisition-station/station.json
          --once          start, home, report Ready, then stop cleanly (smoke test)
          --demo          as --once, then capture the Station:Case:Preset case once, print the package, its QC and
                          timing, and stop (exit 0 only for a complete package that verifies)
          --help          this text

        Environment overrides use the prefix ACQ_ and '__' between keys, e.g. ACQ_Station__StationId=ACQ-0002.
        Exit codes: 0 clean stop, 1 fault (or a failed demo capture), 2 bad command line, 78 invalid configuration.
        """;

    public static StationLaunch Parse(IReadOnlyList<string> args)
    {
        string? config = null;
        var once = false;
        var demo = false;
        var help = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config":
                    if (i + 1 >= args.Count)
                    {
                        throw new ArgumentException("--config needs a file name: --config /etc/acquisition-station/station.json");
                    }
                    config = args[++i];
                    break;
                case var a when a.StartsWith("--config=", StringComparison.Ordinal):
                    config = a["--config=".Length..];
                    break;
                case "--once":
                    once = true;
                    break;
                case "--demo":
                    once = true;
                    demo = true;
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        return new StationLaunch(config, once, help, rest) { Demo = demo };
    }

    /// <summary>The file to read: the one given, else the installed default when it exists, else none.</summary>
    public string? EffectiveConfigFile =>
        ConfigFile is not null ? Path.GetFullPath(ConfigFile) : File.Exists(DefaultConfigFile) ? DefaultConfigFile : null;
}
