// acquisition-bench: reproducible performance harnesses; see docs/benchmarks.md.
using Acquisition.Bench;

return args.FirstOrDefault() switch
{
    "serial" => await SerialBench.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: acquisition-bench serial [moves]");
    return 2;
}
