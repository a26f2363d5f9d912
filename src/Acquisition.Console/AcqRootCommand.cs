using System.CommandLine;
using Acquisition.Console.Stack;

namespace Acquisition.Console;

/// <summary>The `acq` root command. Each command is its own class; add new ones here.</summary>
public static class AcqRootCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("acq: the ballistic imaging station's service console.");
        root.Subcommands.Add(new StackCommand());
        return root;
    }
}
