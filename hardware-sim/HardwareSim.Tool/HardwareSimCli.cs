using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Acquisition.HardwareSim;
using Acquisition.HardwareSim.Clock;

namespace HardwareSim.Tool;

/// <summary>The <c>hardware-sim</c> command line: a client of the bench-control socket, and <c>serve</c> to host a bench.</summary>
public static class HardwareSimCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var socket = new Option<string>("--socket")
        {
            Description = "The bench-control Unix socket",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HARDWARE_SIM_SOCKET") ?? "/run/acquisition/bench.sock",
            Recursive = true,
        };
        var root = new RootCommand("Drive a simulated imaging bench: jog, lights, button, door, faults, snap.");
        root.Options.Add(socket);

        Command Simple(string name, string description, Func<ParseResult, JsonObject> request)
        {
            var c = new Command(name, description);
            c.SetAction((parse, ct) => CallAsync(parse.GetValue(socket)!, request(parse), output, error, ct));
            return c;
        }

        root.Subcommands.Add(Simple("status", "Show positions (reported and true), lights, pins and faults.", _ => Req("status")));

        var longPress = new Option<bool>("--long") { Description = "Hold for 3 s (the abort gesture) instead of 0.2 s" };
        var press = Simple("press", "Press and release the capture button.", p => Req("press", ("long", p.GetValue(longPress))));
        press.Options.Add(longPress);
        root.Subcommands.Add(press);
        root.Subcommands.Add(Simple("hold", "Press the capture button and keep it down.", _ => Req("hold")));
        root.Subcommands.Add(Simple("release", "Release the capture button.", _ => Req("release")));

        var doorState = new Argument<string>("state") { Description = "open or close" };
        doorState.AcceptOnlyFromAmong("open", "close");
        var door = Simple("door", "Open or close the door (GPIO interlock and GRBL safety door).",
            p => Req("door", ("open", p.GetValue(doorState) == "open")));
        door.Arguments.Add(doorState);
        root.Subcommands.Add(door);

        var casingState = new Argument<string>("state") { Description = "insert or remove" };
        casingState.AcceptOnlyFromAmong("insert", "remove");
        var casing = Simple("casing", "Insert or remove the casing (casing-present sensor).",
            p => Req("casing", ("present", p.GetValue(casingState) == "insert")));
        casing.Arguments.Add(casingState);
        root.Subcommands.Add(casing);

        var faultName = new Argument<string>("name") { Description = "One of: " + string.Join(", ", BenchFaults.Names) };
        faultName.AcceptOnlyFromAmong([.. BenchFaults.Names]);
        var faultState = new Argument<string>("state") { Description = "on or off" };
        faultState.AcceptOnlyFromAmong("on", "off");
        var fault = Simple("fault", "Switch a fault on or off.",
            p => Req("fault", ("name", p.GetValue(faultName)), ("on", p.GetValue(faultState) == "on")));
        fault.Arguments.Add(faultName);
        fault.Arguments.Add(faultState);
        root.Subcommands.Add(fault);

        var jogAxis = new Argument<string>("axis") { Description = "x, y or z" };
        jogAxis.AcceptOnlyFromAmong("x", "y", "z");
        var jogUm = new Argument<double>("micrometres") { Description = "Distance, µm (negative moves down the axis)" };
        var jog = Simple("jog", "Jog one axis by a distance in µm through the controller.",
            p => Req("jog", ("axis", p.GetValue(jogAxis)), ("um", p.GetValue(jogUm))));
        jog.Arguments.Add(jogAxis);
        jog.Arguments.Add(jogUm);
        root.Subcommands.Add(jog);

        var armName = new Argument<string>("name") { Description = "stall-x, stall-y, stall-z or controller-reset" };
        armName.AcceptOnlyFromAmong("stall-x", "stall-y", "stall-z", "controller-reset");
        var afterUm = new Option<double>("--after-um")
        {
            Description = "Fire once the axis (stall) or the path (reset) has moved this far in the next moves, µm",
            DefaultValueFactory = _ => 0,
        };
        var arm = Simple("arm", "Arm a fault for the next move: a stall of one axis, or a controller reboot mid-move.",
            p => Req("arm", ("name", p.GetValue(armName)), ("afterUm", p.GetValue(afterUm))));
        arm.Arguments.Add(armName);
        arm.Options.Add(afterUm);
        root.Subcommands.Add(arm);
        root.Subcommands.Add(Simple("disarm", "Cancel a fault armed for the next move.", _ => Req("disarm")));

        var pushAxis = new Argument<string>("axis") { Description = "x, y or z" };
        pushAxis.AcceptOnlyFromAmong("x", "y", "z");
        var pushUm = new Argument<double>("micrometres") { Description = "Distance, µm" };
        var push = Simple("push", "Push an axis by hand while the motor drivers are off (the position becomes unknown).",
            p => Req("push", ("axis", p.GetValue(pushAxis)), ("um", p.GetValue(pushUm))));
        push.Arguments.Add(pushAxis);
        push.Arguments.Add(pushUm);
        root.Subcommands.Add(push);

        var outFile = new Option<FileInfo>("--out") { Description = "PNG file to write", Required = true };
        var snap = new Command("snap", "Render a frame of the bench now and save it as PNG.");
        snap.Options.Add(outFile);
        snap.SetAction(async (p, ct) =>
        {
            var reply = await SendOrReportAsync(p.GetValue(socket)!, Req("snap"), error, ct);
            if (reply is null)
            {
                return 1;
            }
            var file = p.GetValue(outFile)!;
            if (file.Exists)
            {
                await error.WriteLineAsync($"{file.FullName} exists; choose another --out (snap never overwrites).");
                return 1;
            }
            await File.WriteAllBytesAsync(file.FullName, Convert.FromBase64String((string)reply["png"]!), ct);
            await output.WriteLineAsync($"wrote {file.FullName}");
            return 0;
        });
        root.Subcommands.Add(snap);

        var virtualClock = new Option<bool>("--virtual") { Description = "Run the bench on a virtual clock instead of real time" };
        var serve = new Command("serve", "Host a bench on its own: GRBL on a pty, control socket at --socket. Ctrl+C stops.");
        serve.Options.Add(virtualClock);
        serve.SetAction(async (p, ct) =>
        {
            var options = ServeOptions(p.GetValue(socket)!, p.GetValue(virtualClock));
            using var bench = new SimulatedBench(options);
            await output.WriteLineAsync($"GRBL 1.1h on {bench.SerialPortPath} (115200 8N1; e.g. screen {bench.SerialPortPath} 115200)");
            await output.WriteLineAsync($"control socket {bench.ControlSocketPath}");
            await output.WriteLineAsync($"clock {(bench.SimClock.Mode == ClockMode.Virtual ? "virtual" : "real-time")}");
            await output.FlushAsync(ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        root.Subcommands.Add(serve);

        var parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>The bench <c>serve</c> hosts: a real-time clock unless <c>--virtual</c> was given.</summary>
    public static SimulatedBenchOptions ServeOptions(string socketPath, bool virtualClock) => new()
    {
        ControlSocketPath = socketPath,
        Clock = new SimulationClockOptions { Mode = virtualClock ? ClockMode.Virtual : ClockMode.RealTime },
    };

    private static JsonObject Req(string cmd, params (string Key, JsonNode? Value)[] fields)
    {
        var o = new JsonObject { ["cmd"] = cmd };
        foreach (var (k, v) in fields)
        {
            o[k] = v;
        }
        return o;
    }

    private static async Task<JsonObject?> SendOrReportAsync(string socketPath, JsonObject request, TextWriter error, CancellationToken ct)
    {
        try
        {
            var reply = await new BenchClient(socketPath).SendAsync(request, ct);
            if ((bool?)reply["ok"] != true)
            {
                await error.WriteLineAsync($"bench refused '{request["cmd"]}': {(string?)reply["error"] ?? reply.ToJsonString()}");
                return null;
            }
            return reply;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return null;
        }
    }

    private static async Task<int> CallAsync(string socketPath, JsonObject request, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var reply = await SendOrReportAsync(socketPath, request, error, ct);
        if (reply is null)
        {
            return 1;
        }
        reply.Remove("ok");
        foreach (var key in reply.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            reply.Remove(key);
        }
        await output.WriteLineAsync(reply.Count == 0
            ? "ok"
            : reply.ToJsonString(new JsonSerializerOptions
            {
                WriteIndented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }));
        return 0;
    }
}
