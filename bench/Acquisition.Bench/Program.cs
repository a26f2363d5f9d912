// acquisition-bench: reproducible performance harnesses; see docs/benchmarks.md.
using Acquisition.Bench;

return args.Length > 0 && args[0] == "uplink"
    ? await UplinkBench.RunAsync(args[1..], CancellationToken.None)
    : 0;
