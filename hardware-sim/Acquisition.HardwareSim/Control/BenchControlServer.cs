using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Control;

/// <summary>
/// The bench-control endpoint: a Unix socket speaking one JSON object per line each way. Requests:
/// <c>{"cmd":"status"}</c>, <c>{"cmd":"press","long":false}</c>, <c>{"cmd":"hold"}</c>, <c>{"cmd":"release"}</c>,
/// <c>{"cmd":"door","open":true}</c>, <c>{"cmd":"casing","present":true}</c>,
/// <c>{"cmd":"fault","name":"stall-z","on":true}</c>, <c>{"cmd":"arm","name":"stall-z","afterUm":50}</c> (fires on the next
/// move), <c>{"cmd":"disarm"}</c>, <c>{"cmd":"jog","axis":"x","um":100}</c>, <c>{"cmd":"push","axis":"z","um":-30}</c>
/// (by hand, drivers off), <c>{"cmd":"snap"}</c>.
/// Replies carry <c>"ok":true</c> or <c>"ok":false,"error":"..."</c>.
/// </summary>
public sealed class BenchControlServer : IDisposable
{
    /// <summary>How long "press" holds the button (simulated time); a long press is the station's abort gesture.</summary>
    public static readonly TimeSpan ShortPress = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan LongPress = TimeSpan.FromSeconds(3);

    private readonly SimulatedBench _bench;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly string _path;

    public BenchControlServer(SimulatedBench bench, string socketPath)
    {
        _bench = bench;
        _path = socketPath;
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath); // a stale socket from a previous run
        }
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(8);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        File.Delete(_path);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        while (!_stop.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (IOException)
            {
                return;
            }
            if (line is null)
            {
                return;
            }
            JsonObject reply;
            try
            {
                reply = await HandleAsync(JsonNode.Parse(line) as JsonObject
                    ?? throw new FormatException("A request must be one JSON object per line."), _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException
                or System.Text.Json.JsonException or KeyNotFoundException)
            {
                reply = new JsonObject { ["ok"] = false, ["error"] = ex.Message };
            }
            await writer.WriteLineAsync(reply.ToJsonString()).ConfigureAwait(false);
        }
    }

    private async Task<JsonObject> HandleAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var cmd = (string?)request["cmd"] ?? throw new FormatException("Missing \"cmd\".");
        switch (cmd)
        {
            case "status":
                return StatusJson(_bench.Status());
            case "press":
                var isLong = (bool?)request["long"] ?? false;
                await _bench.PressAsync(isLong ? LongPress : ShortPress, cancellationToken).ConfigureAwait(false);
                return Ok();
            case "hold":
                _bench.PressButton();
                return Ok();
            case "release":
                _bench.ReleaseButton();
                return Ok();
            case "door":
                if ((bool?)request["open"] ?? throw new FormatException("door needs \"open\": true|false."))
                {
                    _bench.OpenDoor();
                }
                else
                {
                    _bench.CloseDoor();
                }
                return Ok();
            case "casing":
                if ((bool?)request["present"] ?? throw new FormatException("casing needs \"present\": true|false."))
                {
                    _bench.InsertCasing();
                }
                else
                {
                    _bench.RemoveCasing();
                }
                return Ok();
            case "fault":
                _bench.Faults.Set((string?)request["name"] ?? throw new FormatException("fault needs \"name\"."),
                    (bool?)request["on"] ?? throw new FormatException("fault needs \"on\": true|false."));
                return Ok();
            case "jog":
                var axis = Enum.Parse<Axis>((string?)request["axis"] ?? throw new FormatException("jog needs \"axis\": x|y|z."), ignoreCase: true);
                var um = (double?)request["um"] ?? throw new FormatException("jog needs \"um\" (micrometres).");
                var rate = _bench.Grbl.Settings.MaxRateMmPerMin((int)axis) / 2;
                var lines = _bench.Grbl.ExecuteLocally(string.Create(CultureInfo.InvariantCulture,
                    $"$J=G91G21{axis}{um / 1000.0:0.####}F{rate:0.###}"));
                var ok = lines.Count > 0 && lines[^1] == "ok";
                return new JsonObject
                {
                    ["ok"] = ok,
                    ["reply"] = new JsonArray([.. lines.Select(l => (JsonNode?)JsonValue.Create(l))]),
                    ["error"] = ok ? null : string.Join(" ", lines),
                };
            case "arm":
                _bench.ArmFault((string?)request["name"] ?? throw new FormatException("arm needs \"name\" (stall-x|stall-y|stall-z|controller-reset)."),
                    (double?)request["afterUm"] ?? 0);
                return Ok();
            case "disarm":
                _bench.Grbl.Disarm();
                return Ok();
            case "push":
                var pushAxis = Enum.Parse<Axis>((string?)request["axis"] ?? throw new FormatException("push needs \"axis\": x|y|z."), ignoreCase: true);
                _bench.PushCarriage(pushAxis, (double?)request["um"] ?? throw new FormatException("push needs \"um\" (micrometres)."));
                return Ok();
            case "snap":
                var snap = _bench.SnapPng ?? throw new InvalidOperationException(
                    "No camera is wired into this bench: snap needs the simulated camera (SimulatedBench.SnapPng).");
                var png = await snap(cancellationToken).ConfigureAwait(false);
                return new JsonObject { ["ok"] = true, ["png"] = Convert.ToBase64String(png) };
            default:
                throw new FormatException($"Unknown command '{cmd}'. Known: status, press, hold, release, door, casing, fault, arm, disarm, jog, push, snap.");
        }
    }

    private static JsonObject Ok() => new() { ["ok"] = true };

    private static JsonObject Position(StagePosition p) => new() { ["x"] = p.X.Value, ["y"] = p.Y.Value, ["z"] = p.Z.Value };

    public static JsonObject StatusJson(BenchStatus s)
    {
        var pins = new JsonObject();
        foreach (var (name, level) in s.PinLevels)
        {
            pins[name] = level;
        }
        return new JsonObject
        {
            ["ok"] = true,
            ["at"] = s.At.ToString("O", CultureInfo.InvariantCulture),
            ["clock"] = s.ClockMode,
            ["state"] = s.ControllerState,
            ["reportedUm"] = Position(s.Reported),
            ["trueUm"] = Position(s.True),
            ["reportedSteps"] = new JsonArray([.. s.ReportedSteps.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["trueSteps"] = new JsonArray([.. s.TrueSteps.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["segments"] = new JsonArray([.. s.Lights.Lighting.Segments.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["coaxial"] = s.Lights.Lighting.Coaxial,
            ["pwmPeriodUs"] = s.Lights.PwmPeriod.TotalMicroseconds,
            ["pins"] = pins,
            ["button"] = s.ButtonPressed,
            ["door"] = s.DoorOpen ? "open" : "closed",
            ["casing"] = s.CasingPresent,
            ["faults"] = new JsonArray([.. s.ActiveFaults.Select(f => (JsonNode?)JsonValue.Create(f))]),
            ["serialPort"] = s.SerialPort,
            ["canSnap"] = s.CanSnap,
            ["driversEnabled"] = s.DriversEnabled,
            ["referenceValid"] = s.ReferenceValid,
            ["armed"] = s.ArmedFault,
            ["wcoMm"] = new JsonArray([.. s.WorkCoordinateOffsetMm.Select(v => (JsonNode?)JsonValue.Create(v))]),
        };
    }
}
