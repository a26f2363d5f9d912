using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.HardwareSim;
using Acquisition.Workflow.Capture;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>
/// Against a sim-profile station: a capture (the simulated GPIO button, POST /capture) attempted while a self-test
/// holds the station is refused with the reason and captures nothing; and the privileged endpoints answer only on
/// the control socket, 404 on the technician page's HTTPS listener.
/// </summary>
public sealed class ServicingExclusionTests(SimStation station, ITestOutputHelper output) : IClassFixture<SimStation>
{
    /// <summary>Held on the bench's clock: a short press (a long one would be an abort).</summary>
    private static readonly TimeSpan ShortPress = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_capture_from_the_button_or_the_socket_is_refused_while_a_selftest_runs_and_nothing_is_captured()
    {
        var machine = station.Get<StationStateMachine>();
        var bench = station.Get<SimulatedBench>();
        var sequence = station.Get<CaptureSequence>();
        Assert.Equal(StationState.Ready, machine.State);
        using var client = station.CreateClient();
        using (var caseSet = await client.GetAsync(ControlApiRoutes.Case))
        {
            Assert.Equal(HttpStatusCode.OK, caseSet.StatusCode); // the sim preset: a press is not refused for want of a case
        }
        var auditBefore = await File.ReadAllLinesAsync(Path.Combine(station.DataDirectory, "audit", "audit.jsonl"));
        var captureEvents = 0;
        void OnProgress(object? sender, CaptureProgress e) => Interlocked.Increment(ref captureEvents);
        void OnFinished(object? sender, CaptureOutcome e) => Interlocked.Increment(ref captureEvents);
        sequence.Progress += OnProgress;
        sequence.Finished += OnFinished;

        // The self-test is held right after it took the station (before it touches a device) until the attempts are
        // made: the state machine raises Changed on the self-test's own flow, so blocking there holds the test.
        using var release = new ManualResetEventSlim(false);
        var entered = new TaskCompletionSource<StationStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Hold(object? sender, StationStateChange change)
        {
            if (change.To == StationState.Servicing && entered.TrySetResult(change))
            {
                release.Wait(SimStation.Guard);
            }
        }
        machine.Changed += Hold;
        var logs = new LogRecorder();
        station.Get<ILoggerFactory>().AddProvider(logs);
        Task<HttpResponseMessage>? selfTest = null;
        try
        {
            selfTest = client.PostAsync(ControlApiRoutes.SelfTest, null);
            var servicing = await entered.Task.WaitAsync(SimStation.Guard);
            output.WriteLine($"held: {servicing.From} -> {servicing.To}: {servicing.Reason}");
            Assert.Equal(StationState.Ready, servicing.From);
            Assert.Contains("self-test started by " + Environment.UserName, servicing.Reason, StringComparison.Ordinal);

            // The physical button, through the simulated GPIO, the panel's debounce and the capture button.
            var refusedPress = logs.WaitFor((category, message) => category.EndsWith(nameof(CaptureButton), StringComparison.Ordinal));
            await bench.PressAsync(ShortPress, CancellationToken.None).WaitAsync(SimStation.Guard);
            var pressReason = await refusedPress.WaitAsync(SimStation.Guard);
            output.WriteLine(pressReason);
            Assert.Contains("The station is Servicing, not Ready", pressReason, StringComparison.Ordinal);
            Assert.Contains("a self-test started by " + Environment.UserName + " is running; wait for it to finish", pressReason, StringComparison.Ordinal);

            // The control API's capture.
            using var other = station.CreateClient();
            using (var capture = await other.PostAsync("/capture", null))
            {
                var body = await capture.Content.ReadAsStringAsync();
                output.WriteLine(body);
                Assert.Equal(HttpStatusCode.Conflict, capture.StatusCode);
                Assert.Contains("self-test started by", body, StringComparison.Ordinal);
                Assert.Contains("wait for it to finish", body, StringComparison.Ordinal);
            }

            // And a second diagnostic.
            using (var snap = await other.PostAsync(ControlApiRoutes.CameraSnap, null))
            {
                var body = await snap.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.Conflict, snap.StatusCode);
                Assert.Contains("Diagnostic running", body, StringComparison.Ordinal);
                Assert.Contains("self-test started by", body, StringComparison.Ordinal);
            }
            // And a manual move of the stage the self-test is using.
            using (var jog = await other.PostAsync(ControlApiRoutes.StageJog, JsonContent.Create(new JogRequest(Axis.Z, -50), options: ControlApiJson.Options)))
            {
                var body = await jog.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.Conflict, jog.StatusCode);
                Assert.Contains("self-test started by", body, StringComparison.Ordinal);
            }
            Assert.Equal(StationState.Servicing, machine.State);
            Assert.False(sequence.IsRunning);
        }
        finally
        {
            release.Set();
            machine.Changed -= Hold;
            logs.Dispose();
            sequence.Progress -= OnProgress;
            sequence.Finished -= OnFinished;
        }

        using (var report = await selfTest.WaitAsync(SimStation.Guard))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode); // the self-test itself ran to its end
        }
        Assert.Equal(StationState.Ready, machine.State);
        Assert.Equal("self-test finished", machine.LastChange.Reason);

        // Nothing was captured: no capture started or progressed, nothing audited as a capture, no package.
        Assert.Equal(0, Volatile.Read(ref captureEvents));
        var audit = (await File.ReadAllLinesAsync(Path.Combine(station.DataDirectory, "audit", "audit.jsonl"))).Skip(auditBefore.Length)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("action").GetString()).ToList();
        output.WriteLine(string.Join(", ", audit));
        Assert.Contains("selftest.run", audit);
        Assert.DoesNotContain(audit, a => a!.StartsWith("capture.", StringComparison.Ordinal));
        var packages = Path.Combine(station.DataDirectory, "packages");
        Assert.True(!Directory.Exists(packages) || !Directory.EnumerateFileSystemEntries(packages).Any(), "a package was written");
    }

    [Theory]
    [InlineData("manual jog")]
    [InlineData("manual move")]
    [InlineData("manual homing")]
    [InlineData("manual light setting")]
    public async Task A_manual_motion_or_light_setting_from_the_socket_holds_the_station_so_a_capture_is_refused_meanwhile(string activity)
    {
        var machine = station.Get<StationStateMachine>();
        var sequence = station.Get<CaptureSequence>();
        var stage = station.Get<IStage>();
        Assert.Equal(StationState.Ready, machine.State);
        using var client = station.CreateClient();
        using var other = station.CreateClient();
        var at = stage.Status.Position;
        Task<HttpResponseMessage> Send() => activity switch
        {
            "manual jog" => client.PostAsync(ControlApiRoutes.StageJog, JsonContent.Create(new JogRequest(Axis.Z, -20), options: ControlApiJson.Options)),
            "manual move" => client.PostAsync(ControlApiRoutes.StageMove,
                JsonContent.Create(new MoveRequest(at.X.Value, at.Y.Value, at.Z.Value - 20), options: ControlApiJson.Options)),
            "manual homing" => client.PostAsync(ControlApiRoutes.StageHome, null),
            _ => client.PutAsync(ControlApiRoutes.Lights, JsonContent.Create(new LightsRequest([0, 4], 0.3), options: ControlApiJson.Options)),
        };

        // The request is held right after it took the station (before it touches a device), as the self-test above.
        using var release = new ManualResetEventSlim(false);
        var entered = new TaskCompletionSource<StationStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Hold(object? sender, StationStateChange change)
        {
            if (change.To == StationState.Servicing && entered.TrySetResult(change))
            {
                release.Wait(SimStation.Guard);
            }
        }
        machine.Changed += Hold;
        Task<HttpResponseMessage>? manual = null;
        try
        {
            manual = Send();
            var servicing = await entered.Task.WaitAsync(SimStation.Guard);
            Assert.Contains(activity + " started by " + Environment.UserName, servicing.Reason, StringComparison.Ordinal);
            using (var capture = await other.PostAsync("/capture", null))
            {
                var body = await capture.Content.ReadAsStringAsync();
                output.WriteLine(body);
                Assert.Equal(HttpStatusCode.Conflict, capture.StatusCode);
                Assert.Contains(activity + " started by", body, StringComparison.Ordinal);
            }
            Assert.False(sequence.IsRunning);
        }
        finally
        {
            release.Set();
            machine.Changed -= Hold;
        }
        using (var answer = await manual.WaitAsync(SimStation.Guard))
        {
            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        }
        Assert.Equal(StationState.Ready, machine.State);
        Assert.Equal(activity + " finished", machine.LastChange.Reason);
        if (activity is "manual jog" or "manual move")
        {
            using var back = await client.PostAsync(ControlApiRoutes.StageJog, JsonContent.Create(new JogRequest(Axis.Z, 20), options: ControlApiJson.Options));
            Assert.True(back.StatusCode == HttpStatusCode.OK, await back.Content.ReadAsStringAsync());
        }
        else if (activity == "manual light setting")
        {
            using var off = await client.PutAsync(ControlApiRoutes.Lights, JsonContent.Create(new LightsRequest([], 0, 0), options: ControlApiJson.Options));
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }
    }

    [Fact]
    public async Task Opening_the_door_switches_off_lights_a_service_command_left_on()
    {
        var machine = station.Get<StationStateMachine>();
        var bench = station.Get<SimulatedBench>();
        var light = station.Get<IRingLight>();
        var panel = station.Get<IOperatorPanel>();
        Assert.Equal(StationState.Ready, machine.State);
        using var client = station.CreateClient();
        using (var on = await client.PutAsync(ControlApiRoutes.Lights, JsonContent.Create(new LightsRequest([0, 4], 0.3), options: ControlApiJson.Options)))
        {
            Assert.True(on.StatusCode == HttpStatusCode.OK, await on.Content.ReadAsStringAsync());
        }
        Assert.Contains(light.Current.Segments, level => level > 0);
        var logs = new LogRecorder();
        station.Get<ILoggerFactory>().AddProvider(logs);
        var tripped = logs.WaitFor((category, message) => category.EndsWith(".SafetyInterlock", StringComparison.Ordinal) && message.Contains("lights off", StringComparison.Ordinal));
        using var closedAgain = new PanelEventWaiter(panel, PanelEventKind.DoorClosed);
        try
        {
            bench.OpenDoor();
            output.WriteLine(await tripped.WaitAsync(SimStation.Guard));
            Assert.True(light.Current.IsOff, light.Current.ToString());
        }
        finally
        {
            bench.CloseDoor();
            await closedAgain.Seen.WaitAsync(SimStation.Guard);
        }
        Assert.Equal(StationState.Ready, machine.State);

        // GRBL's own door input left it in Door state, where it refuses motion (error:8) until a cycle start: the
        // service jog resumes it first, as a capture does.
        Assert.Equal(Acquisition.HardwareSim.Grbl.GrblMachineState.Door, bench.Grbl.State);
        foreach (var distance in new[] { -20.0, 20.0 })
        {
            using var jog = await client.PostAsync(ControlApiRoutes.StageJog, JsonContent.Create(new JogRequest(Axis.Z, distance), options: ControlApiJson.Options));
            Assert.True(jog.StatusCode == HttpStatusCode.OK, await jog.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_jog_the_door_stops_fails_at_once_saying_so_and_the_stage_can_be_moved_back_afterwards()
    {
        var machine = station.Get<StationStateMachine>();
        var bench = station.Get<SimulatedBench>();
        var stage = station.Get<IStage>();
        var panel = station.Get<IOperatorPanel>();
        Assert.Equal(StationState.Ready, machine.State);
        using var client = station.CreateClient();
        var at = (await stage.QueryStatusAsync(CancellationToken.None)).Position;
        var jogging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStatus(object? sender, StageStatus s)
        {
            if (s.State == StageMotionState.Jog)
            {
                jogging.TrySetResult();
            }
        }
        stage.StatusChanged += OnStatus;
        using var closedAgain = new PanelEventWaiter(panel, PanelEventKind.DoorClosed);
        try
        {
            // 3 mm at 50 µm/s: a minute of travel, of which the door takes the rest.
            var jog = client.PostAsync(ControlApiRoutes.StageJog,
                JsonContent.Create(new JogRequest(Axis.Z, -3000, FeedRateMicrometresPerSecond: 50), options: ControlApiJson.Options));
            await jogging.Task.WaitAsync(SimStation.Guard);
            bench.OpenDoor();
            using var answer = await jog.WaitAsync(SimStation.Guard);
            var body = await answer.Content.ReadAsStringAsync();
            output.WriteLine(body);
            Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
            Assert.Contains("The jog was stopped: the stage is in Door state", body, StringComparison.Ordinal);
            Assert.Contains("the door was opened", body, StringComparison.Ordinal);
        }
        finally
        {
            stage.StatusChanged -= OnStatus;
            bench.CloseDoor();
            await closedAgain.Seen.WaitAsync(SimStation.Guard);
        }
        Assert.Equal(StationState.Ready, machine.State);
        using var back = await client.PostAsync(ControlApiRoutes.StageMove,
            JsonContent.Create(new MoveRequest(at.X.Value, at.Y.Value, at.Z.Value), options: ControlApiJson.Options));
        Assert.True(back.StatusCode == HttpStatusCode.OK, await back.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_station_faulted_by_a_capture_is_Ready_again_after_homing_from_the_socket()
    {
        var machine = station.Get<StationStateMachine>();
        Assert.Equal(StationState.Ready, machine.State);
        // What CaptureSequence does after a hardware fault that loses the position.
        machine.TransitionTo(StationState.Fault, "capture 01TEST failed: hardware fault: the X axis stalled");
        try
        {
            using var client = station.CreateClient();
            using var home = await client.PostAsync(ControlApiRoutes.StageHome, null);
            Assert.True(home.StatusCode == HttpStatusCode.OK, await home.Content.ReadAsStringAsync());
            Assert.Equal(StationState.Ready, machine.State);
            Assert.Equal($"stage homed by {Environment.UserName} (was Fault: capture 01TEST failed: hardware fault: the X axis stalled)", machine.LastChange.Reason);
        }
        finally
        {
            if (machine.State == StationState.Fault)
            {
                machine.TransitionTo(StationState.Ready, "test clean-up: the fault was never cleared");
            }
        }
    }

    [Fact]
    public async Task Privileged_endpoints_answer_404_on_the_technician_https_listener_and_are_served_on_the_socket()
    {
        var machine = station.Get<StationStateMachine>();
        var stage = station.Get<IStage>();
        var baseUrl = station.App.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal));
        using var https = new HttpClient(new SocketsHttpHandler
        {
            // The station's own self-signed certificate; what is under test is the routing behind it.
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null },
        })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = SimStation.Guard,
        };
        using (var page = await https.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the listener is up and serves the page
        }

        // The brief's list, then every endpoint the host maps outside the page (so one added later is covered too).
        var privileged = new List<(HttpMethod Method, string Path)>
        {
            (HttpMethod.Post, ControlApiRoutes.CameraSnap),
            (HttpMethod.Post, ControlApiRoutes.Autofocus),
            (HttpMethod.Post, ControlApiRoutes.SelfTest),
            (HttpMethod.Post, ControlApiRoutes.StageJog),
            (HttpMethod.Post, ControlApiRoutes.Calibration("pixel-size")),
        };
        var mapped = ControlEndpoints(station.App).ToList();
        privileged.AddRange(mapped.Where(m => !privileged.Contains(m)));
        var auditBefore = (await File.ReadAllLinesAsync(Path.Combine(station.DataDirectory, "audit", "audit.jsonl"))).Length;
        var positionBefore = (await stage.QueryStatusAsync(CancellationToken.None)).Position;
        foreach (var (method, path) in privileged)
        {
            using var request = new HttpRequestMessage(method, path);
            if (method != HttpMethod.Get && method != HttpMethod.Delete)
            {
                request.Content = JsonContent.Create(new JogRequest(Axis.Z, -50), options: ControlApiJson.Options);
            }
            using var response = await https.SendAsync(request);
            output.WriteLine($"https {method} {path}: {(int)response.StatusCode}");
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode} on the HTTPS listener");
        }
        Assert.Contains(mapped, m => m.Path == ControlApiRoutes.SelfTest); // the enumeration did find the control endpoints
        Assert.Equal(auditBefore, (await File.ReadAllLinesAsync(Path.Combine(station.DataDirectory, "audit", "audit.jsonl"))).Length);
        Assert.Equal(positionBefore, (await stage.QueryStatusAsync(CancellationToken.None)).Position);
        Assert.Equal(StationState.Ready, machine.State);

        // The same requests reach their handlers on the socket.
        using var socket = station.CreateClient();
        using (var snap = await socket.PostAsync(ControlApiRoutes.CameraSnap, null))
        {
            Assert.Equal(HttpStatusCode.OK, snap.StatusCode);
            Assert.Equal("image/png", snap.Content.Headers.ContentType?.MediaType);
        }
        using (var autofocus = await socket.PostAsync(ControlApiRoutes.Autofocus, JsonContent.Create(new AutofocusRequest(100, 80), options: ControlApiJson.Options)))
        {
            // Refused by the handler's own validation (before any motion): the endpoint is there.
            Assert.Equal(HttpStatusCode.UnprocessableEntity, autofocus.StatusCode);
        }
        using (var jog = await socket.PostAsync(ControlApiRoutes.StageJog, JsonContent.Create(new JogRequest(Axis.Z, -50), options: ControlApiJson.Options)))
        {
            Assert.True(jog.StatusCode == HttpStatusCode.OK, await jog.Content.ReadAsStringAsync());
        }
        using (var back = await socket.PostAsync(ControlApiRoutes.StageJog, JsonContent.Create(new JogRequest(Axis.Z, 50), options: ControlApiJson.Options)))
        {
            Assert.True(back.StatusCode == HttpStatusCode.OK, await back.Content.ReadAsStringAsync());
        }
        using (var selfTest = await socket.PostAsync(ControlApiRoutes.SelfTest, null))
        {
            Assert.Equal(HttpStatusCode.OK, selfTest.StatusCode);
        }
        if (mapped.Any(m => m.Path.StartsWith(ControlApiRoutes.Calibrations + "/", StringComparison.Ordinal)))
        {
            // Served once the calibration procedures are mapped: any answer but the router's 404 shows it is reachable.
            using var calibration = await socket.PostAsync(ControlApiRoutes.Calibration("pixel-size"), JsonContent.Create(new { }));
            output.WriteLine($"socket POST /calibrations/pixel-size: {(int)calibration.StatusCode}");
            Assert.NotEqual(HttpStatusCode.NotFound, calibration.StatusCode);
        }
        else
        {
            output.WriteLine("POST /calibrations/{kind} is not mapped by this build; its socket half is not checked.");
        }
    }

    /// <summary>Every route the host maps for the control socket (not the page's), with route values filled in.</summary>
    private static IEnumerable<(HttpMethod Method, string Path)> ControlEndpoints(WebApplication app)
    {
        var sources = ((IEndpointRouteBuilder)app).DataSources;
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (pattern == "/" || pattern.StartsWith("/assets", StringComparison.Ordinal) || pattern.StartsWith("/api/tech", StringComparison.Ordinal))
            {
                continue;
            }
            var path = pattern;
            foreach (var parameter in endpoint.RoutePattern.Parameters)
            {
                var value = parameter.Name == "kind" ? "pixel-size" : "01JDIAG0000000000000000000";
                path = System.Text.RegularExpressions.Regex.Replace(path, "\\{" + parameter.Name + "[^}]*\\}", value);
            }
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                yield return (new HttpMethod(method), path);
            }
        }
    }
}
