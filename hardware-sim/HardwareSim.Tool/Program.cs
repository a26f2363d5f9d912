// hardware-sim: drive a simulated bench by hand (see docs/simulator.md).
using HardwareSim.Tool;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await HardwareSimCli.RunAsync(args, Console.Out, Console.Error, cts.Token);
