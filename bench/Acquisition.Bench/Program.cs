// acquisition-bench: reproducible performance harnesses; see docs/benchmarks.md.
using Acquisition.Bench;

return args.Length > 0 && args[0] == "stack"
    ? await StackBench.RunAsync(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: acquisition-bench stack [--width 2448] [--height 2048] [--slices 32] [--work DIR] [--acq acq.dll] [--skip-enfuse] [--skip-memory]");
    return 2;
}
