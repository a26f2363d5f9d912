// acquisition-bench: reproducible performance harnesses; see docs/benchmarks.md.
using Acquisition.Bench;

return args.FirstOrDefault() switch
{
    "render" => RenderBench.Run(args[1..]),
    "render-snap" => RenderBench.Snap(args[1..]),
    "render-focus-curve" => RenderDebug.Run(args[1..]),
    "stack-profile" => StackProfile.Run(args[1..]),
    "stack" => await StackBench.RunAsync(args[1..]),
    "uplink" => await UplinkBench.RunAsync(args[1..], CancellationToken.None),
    "serial" => await SerialBench.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: acquisition-bench render [frames] [width height] | render-snap out.png [z] [segments] [x] [y] | render-focus-curve");
    Console.Error.WriteLine("       acquisition-bench stack [--scene synthetic|camera] [--width 2448] [--height 2048] [--slices 32] [--work DIR] [--acq acq.dll] [--skip-enfuse] [--skip-memory] [--sequential] [--passes 5] [--enfuse-runs 3]");
    Console.Error.WriteLine("       acquisition-bench stack-profile [--width 2448] [--height 2048] [--slices 24] [--jitter] [--cubic]");
    Console.Error.WriteLine("       acquisition-bench uplink [...] | serial [moves]");
    return 2;
}
